#!/usr/bin/env bash
# Regenerates man/: picocli writes one AsciiDoc page per command (man/adoc), asciidoctor renders each as a
# troff man page (man/man1). Needs asciidoctor (Debian: apt-get install asciidoctor).
#   scripts/man.sh           then: man -l man/man1/cask-serve.1
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
source "$ROOT/scripts/jdk.sh"
command -v asciidoctor >/dev/null || { echo "asciidoctor is missing: sudo apt-get install -y asciidoctor" >&2; exit 1; }
cd "$ROOT"
./mvnw -q -B install -DskipTests
./mvnw -q -B -pl cask-cli test -Dtest=ManPagesTest -Dcask.writeManPages=true -Dsurefire.failIfNoSpecifiedTests=false
rm -rf man/man1 && mkdir -p man/man1
asciidoctor -b manpage -D man/man1 man/adoc/*.adoc
echo "man/: $(ls man/adoc | wc -l) pages"
