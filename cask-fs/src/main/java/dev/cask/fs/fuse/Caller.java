package dev.cask.fs.fuse;

/** Who made a request, from {@code fuse_req_ctx}. The kernel has already applied the umask to modes it passes. */
public record Caller(int uid, int gid, int pid) {
}
