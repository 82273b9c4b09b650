package dev.cask.lab.crash;

import dev.cask.lab.crash.RecordingLayer.Op;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;

/**
 * Builds the files a crash after the first k recorded operations may leave. File contents are
 * tracked per inode, so renames and links keep their identity.
 *
 * <ul>
 *   <li>{@code KILL}: the process dies; the kernel keeps everything it was given.</li>
 *   <li>{@code POWER_CUT}: data written since the file's last force is gone, and names created,
 *       renamed, linked or deleted since their directory's last sync are gone too.</li>
 *   <li>{@code POWER_CUT_NAMES_KEPT}: only the unforced data is gone (the journal kept the names).</li>
 *   <li>{@code POWER_CUT_PARTIAL}: names kept; each unforced write reached the disk or not, at random.</li>
 * </ul>
 *
 * With {@code brokenDirSync} the model ignores directory syncs and with {@code brokenForce} it
 * ignores forces: what a missing directory fsync or an acknowledgement before fsync looks like.
 */
public final class CrashStates {
    public enum Kind { KILL, POWER_CUT, POWER_CUT_NAMES_KEPT, POWER_CUT_PARTIAL }

    private final List<Op> ops;
    /** For each op touching file data: the inode it touched (-1 for others). */
    private final int[] inodeOf;
    private final boolean brokenDirSync;
    private final boolean brokenForce;

    public CrashStates(List<Op> ops, boolean brokenDirSync, boolean brokenForce) {
        this.ops = ops;
        this.brokenDirSync = brokenDirSync;
        this.brokenForce = brokenForce;
        this.inodeOf = new int[ops.size()];
        Map<String, Integer> names = new HashMap<>();
        int next = 0;
        for (int i = 0; i < ops.size(); i++) {
            Op op = ops.get(i);
            inodeOf[i] = -1;
            switch (op) {
                case Op.Create c -> {
                    names.put(c.path(), next);
                    inodeOf[i] = next++;
                }
                case Op.Write w -> inodeOf[i] = names.getOrDefault(w.path(), -1);
                case Op.Resize t -> inodeOf[i] = names.getOrDefault(t.path(), -1);
                case Op.Force f -> inodeOf[i] = names.getOrDefault(f.path(), -1);
                case Op.Rename r -> {
                    Integer ino = names.remove(r.from());
                    if (ino != null) names.put(r.to(), ino);
                    inodeOf[i] = ino == null ? -1 : ino;
                }
                case Op.Link l -> {
                    Integer ino = names.get(l.existing());
                    if (ino != null) names.put(l.link(), ino);
                    inodeOf[i] = ino == null ? -1 : ino;
                }
                case Op.Delete d -> {
                    Integer ino = names.remove(d.path());
                    inodeOf[i] = ino == null ? -1 : ino;
                }
                default -> { }
            }
        }
    }

    public int size() {
        return ops.size();
    }

    public Op op(int i) {
        return ops.get(i);
    }

    /** The files (relative path to content) after a crash once the first {@code k} operations were issued. */
    public Map<String, byte[]> state(int k, Kind kind, Random random) {
        Map<String, Integer> names = new HashMap<>();
        Map<Integer, byte[]> data = new HashMap<>();
        for (int i = 0; i < k; i++) {
            Op op = ops.get(i);
            boolean namesKept = kind == Kind.KILL || kind == Kind.POWER_CUT_NAMES_KEPT || kind == Kind.POWER_CUT_PARTIAL || syncedLater(i, k, dirOf(op));
            boolean dataKept = kind == Kind.KILL || forcedLater(i, k) || (kind == Kind.POWER_CUT_PARTIAL && random.nextBoolean());
            switch (op) {
                case Op.Create c -> {
                    data.putIfAbsent(inodeOf[i], new byte[0]);
                    if (namesKept) names.put(c.path(), inodeOf[i]);
                }
                case Op.Write w -> {
                    if (dataKept && inodeOf[i] >= 0) data.put(inodeOf[i], write(data.getOrDefault(inodeOf[i], new byte[0]), w.position(), w.bytes()));
                }
                case Op.Resize t -> {
                    if (dataKept && inodeOf[i] >= 0) data.put(inodeOf[i], Arrays.copyOf(data.getOrDefault(inodeOf[i], new byte[0]), (int) t.size()));
                }
                case Op.Rename r -> {
                    if (namesKept && names.containsKey(r.from())) names.put(r.to(), names.remove(r.from()));
                }
                case Op.Link l -> {
                    if (namesKept && names.containsKey(l.existing())) names.put(l.link(), names.get(l.existing()));
                }
                case Op.Delete d -> {
                    if (namesKept) names.remove(d.path());
                }
                default -> { }
            }
        }
        Map<String, byte[]> files = new TreeMap<>();
        names.forEach((name, ino) -> files.put(name, data.getOrDefault(ino, new byte[0])));
        return files;
    }

    private static String dirOf(Op op) {
        String path = switch (op) {
            case Op.Create c -> c.path();
            case Op.Rename r -> r.to();
            case Op.Link l -> l.link();
            case Op.Delete d -> d.path();
            default -> null;
        };
        if (path == null) return null;
        int slash = path.lastIndexOf('/');
        return slash < 0 ? "" : path.substring(0, slash);
    }

    private boolean syncedLater(int i, int k, String dir) {
        if (dir == null || brokenDirSync) return dir == null;
        for (int j = i + 1; j < k; j++) if (ops.get(j) instanceof Op.SyncDir s && s.dir().equals(dir)) return true;
        return false;
    }

    private boolean forcedLater(int i, int k) {
        if (brokenForce || inodeOf[i] < 0) return false;
        for (int j = i + 1; j < k; j++) if (ops.get(j) instanceof Op.Force && inodeOf[j] == inodeOf[i]) return true;
        return false;
    }

    private static byte[] write(byte[] content, long position, byte[] bytes) {
        byte[] out = content.length < position + bytes.length ? Arrays.copyOf(content, (int) (position + bytes.length)) : content.clone();
        System.arraycopy(bytes, 0, out, (int) position, bytes.length);
        return out;
    }

    /** The acknowledged model states around crash point k: the last one before it, and the one the operation in flight would make. */
    public List<Map<String, String>> allowed(int k) {
        Map<String, String> before = Map.of();
        for (int i = 0; i < k; i++) if (ops.get(i) instanceof Op.Ack a) before = a.state();
        List<Map<String, String>> out = new ArrayList<>(List.of(before));
        for (int i = k; i < ops.size(); i++) {
            if (ops.get(i) instanceof Op.Ack a) {
                out.add(a.state());
                break;
            }
        }
        return out;
    }
}
