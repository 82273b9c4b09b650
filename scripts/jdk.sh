# Sourced by ./cask and ./test: sets JAVA_HOME to a JDK 25 or newer, whatever it was before.
java_major() {  # java_major JAVA_HOME -> prints the feature version, or nothing
  [ -x "$1/bin/java" ] && [ -x "$1/bin/javac" ] || return 0
  "$1/bin/java" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java\.specification\.version = \([0-9]*\).*/\1/p'
}
find_jdk25() {
  local candidate v
  for candidate in "${JAVA_HOME:-}" /usr/lib/jvm/temurin-25* /usr/lib/jvm/*25* /usr/lib/jvm/* /opt/java/* /opt/jdk*; do
    [ -n "$candidate" ] && [ -d "$candidate" ] || continue
    v=$(java_major "$candidate")
    if [ -n "$v" ] && [ "$v" -ge 25 ]; then echo "$candidate"; return 0; fi
  done
  return 1
}
if ! JAVA_HOME=$(find_jdk25); then
  echo "cask: no JDK 25 found (looked at \$JAVA_HOME and /usr/lib/jvm/*). Install one, e.g. Temurin 25, or point JAVA_HOME at it." >&2
  exit 1
fi
export JAVA_HOME
