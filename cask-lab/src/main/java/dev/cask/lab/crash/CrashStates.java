package dev.cask.lab.crash;

import dev.cask.lab.crash.RecordingLayer.Op;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;

/**
 * Builds the files a crash after the first k recorded operations may leave. File contents are
 * tracked per inode, so renames and links keep their identity.
 *
 * <ul>
 *   <li>{@code KILL}: the process dies; the kernel keeps everything it was given.</li>
 *   <li>{@code KILL_PAGES_DROPPED}: as KILL, but the dirty pages of a failed force are gone (the
 *       kernel dropped them, or evicted them clean and reads the old blocks back).</li>
 *   <li>{@code POWER_CUT}: data written since the file's last force is gone, and names created,
 *       renamed, linked or deleted since their directory's last sync are gone too.</li>
 *   <li>{@code POWER_CUT_NAMES_KEPT}: only the unforced data is gone (the journal kept the names).</li>
 *   <li>{@code POWER_CUT_PARTIAL}: names kept; each unforced write reached the disk or not, at random.</li>
 *   <li>{@code POWER_CUT_SECTORS}: names kept; each 512-byte sector of each unforced write reached
 *       the disk or not, at random: a page torn inside, not only cut short.</li>
 *   <li>{@code POWER_CUT_SECTOR_GARBLED}: names kept, unforced data gone, and every sector that an
 *       unforced write shared with earlier bytes holds garbage, the durable bytes in it included: a
 *       disk without atomic sector writes, cut while rewriting that sector.</li>
 * </ul>
 *
 * <p>What a force makes durable: the writes recorded before it began (a write that overlapped it
 * is not credited), and only with metadata (fsync, not fdatasync) the file's length: a size
 * change after the last full force is lost on a power cut. An {@code O_SYNC} write is durable
 * when it returns; an {@code O_DSYNC} write's data is, its length is not. After a failed force the
 * writes it was to cover are never durable, whatever later forces return (fsyncgate).
 *
 * <p>With {@code brokenDirSync} the model ignores directory syncs and with {@code brokenForce} it
 * ignores forces: what a missing directory fsync or an acknowledgement before fsync looks like.
 */
public final class CrashStates {
    public enum Kind { KILL, KILL_PAGES_DROPPED, POWER_CUT, POWER_CUT_NAMES_KEPT, POWER_CUT_PARTIAL, POWER_CUT_SECTORS, POWER_CUT_SECTOR_GARBLED }

    static final int SECTOR = 512;

    private final List<Op> ops;
    /** For each op touching file data: the inode it touched (-1 for others). */
    private final int[] inodeOf;
    /** For each write: lost to a failed force (never durable). */
    private final boolean[] poisoned;
    private final boolean brokenDirSync;
    private final boolean brokenForce;

    public CrashStates(List<Op> ops, boolean brokenDirSync, boolean brokenForce) {
        this.ops = ops;
        this.brokenDirSync = brokenDirSync;
        this.brokenForce = brokenForce;
        this.inodeOf = new int[ops.size()];
        this.poisoned = new boolean[ops.size()];
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
                case Op.ForceFailed f -> inodeOf[i] = names.getOrDefault(f.path(), -1);
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
        for (int f = 0; f < ops.size(); f++) {
            if (!(ops.get(f) instanceof Op.ForceFailed) || inodeOf[f] < 0) continue;
            for (int i = 0; i < f; i++) {
                if ((ops.get(i) instanceof Op.Write || ops.get(i) instanceof Op.Resize) && inodeOf[i] == inodeOf[f] && !covered(i, f, false)) poisoned[i] = true;
            }
        }
    }

    public int size() {
        return ops.size();
    }

    public Op op(int i) {
        return ops.get(i);
    }

    /** Whether any force failed in the first k ops (then {@code KILL_PAGES_DROPPED} differs from {@code KILL}). */
    public boolean forceFailedBefore(int k) {
        for (int i = 0; i < k; i++) if (ops.get(i) instanceof Op.ForceFailed) return true;
        return false;
    }

    /** The files (relative path to content) after a crash once the first {@code k} operations were issued. */
    public Map<String, byte[]> state(int k, Kind kind, Random random) {
        boolean kill = kind == Kind.KILL || kind == Kind.KILL_PAGES_DROPPED;
        boolean namesAlwaysKept = kill || kind == Kind.POWER_CUT_NAMES_KEPT || kind == Kind.POWER_CUT_PARTIAL || kind == Kind.POWER_CUT_SECTORS
                || kind == Kind.POWER_CUT_SECTOR_GARBLED;
        Map<Integer, Set<Long>> garbled = new HashMap<>();
        Map<String, Integer> names = new HashMap<>();
        Set<String> dirs = new HashSet<>();
        Set<String> createdDirs = new HashSet<>();
        Map<Integer, byte[]> data = new HashMap<>();
        Map<Integer, Long> length = new HashMap<>();
        Map<List<Long>, Boolean> sectorsWritten = new HashMap<>();
        for (int i = 0; i < k; i++) {
            Op op = ops.get(i);
            boolean namesKept = namesAlwaysKept || syncedLater(i, k, dirOf(op));
            int ino = inodeOf[i];
            switch (op) {
                case Op.Create c -> {
                    data.putIfAbsent(ino, new byte[0]);
                    length.putIfAbsent(ino, 0L);
                    if (namesKept) names.put(c.path(), ino);
                }
                case Op.Mkdir m -> {
                    createdDirs.add(m.dir());
                    if (namesKept) dirs.add(m.dir());
                }
                case Op.Write w -> {
                    if (ino < 0) break;
                    boolean dropped = poisoned[i] && (kind != Kind.KILL);
                    boolean dataDurable = !poisoned[i] && (w.sync() > 0 || covered(i, k, false));
                    boolean sizeDurable = !poisoned[i] && (w.sync() == 2 || covered(i, k, true));
                    byte[] content = data.getOrDefault(ino, new byte[0]);
                    long end = w.position() + w.bytes().length;
                    if (dropped) break;
                    if (kill || dataDurable) {
                        data.put(ino, write(content, w.position(), w.bytes(), 0, w.bytes().length));
                    } else if (kind == Kind.POWER_CUT_PARTIAL) {
                        if (random.nextBoolean()) data.put(ino, write(content, w.position(), w.bytes(), 0, w.bytes().length));
                    } else if (kind == Kind.POWER_CUT_SECTORS) {
                        data.put(ino, sectorsOf(content, w, ino, sectorsWritten, random));
                    } else if (kind == Kind.POWER_CUT_SECTOR_GARBLED && w.position() % SECTOR != 0) {
                        garbled.computeIfAbsent(ino, x -> new HashSet<>()).add(w.position() / SECTOR * SECTOR);
                    }
                    boolean sizeKept = kill || sizeDurable || ((kind == Kind.POWER_CUT_PARTIAL || kind == Kind.POWER_CUT_SECTORS) && random.nextBoolean());
                    if (sizeKept) length.merge(ino, end, Math::max);
                }
                case Op.Resize t -> {
                    if (ino < 0 || (poisoned[i] && kind != Kind.KILL)) break;
                    boolean kept = kill || (covered(i, k, true) && !poisoned[i]) || ((kind == Kind.POWER_CUT_PARTIAL || kind == Kind.POWER_CUT_SECTORS) && random.nextBoolean());
                    if (!kept) break;
                    length.put(ino, t.size());
                    byte[] content = data.getOrDefault(ino, new byte[0]);
                    if (content.length > t.size()) data.put(ino, Arrays.copyOf(content, (int) t.size()));
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
        garbled.forEach((ino, sectors) -> {
            byte[] content = data.get(ino);
            if (content == null) return;
            for (long sector : sectors) {
                for (long b = sector; b < Math.min(sector + SECTOR, content.length); b++) content[(int) b] = (byte) random.nextInt(256);
            }
        });
        Map<String, byte[]> files = new TreeMap<>();
        names.forEach((name, ino) -> {
            if (!inKeptDirectory(name, createdDirs, dirs)) return;
            byte[] content = data.getOrDefault(ino, new byte[0]);
            files.put(name, Arrays.copyOf(content, (int) (long) length.getOrDefault(ino, (long) content.length)));
        });
        return files;
    }

    /** A name whose directory (or a parent) was made in the recording and lost in the crash is gone with it. */
    private static boolean inKeptDirectory(String name, Set<String> created, Set<String> kept) {
        for (int slash = name.lastIndexOf('/'); slash > 0; slash = name.lastIndexOf('/', slash - 1)) {
            String dir = name.substring(0, slash);
            if (created.contains(dir) && !kept.contains(dir)) return false;
        }
        return true;
    }

    /**
     * The parts of an unforced write in the sectors that reached the disk. Whether a sector did is
     * decided once per state: a sector holds every write made to it before the crash, or none of
     * the unforced ones (a disk writes a sector whole; a page of eight may be torn between them).
     */
    private static byte[] sectorsOf(byte[] content, Op.Write w, int ino, Map<List<Long>, Boolean> written, Random random) {
        byte[] out = content;
        long start = w.position();
        long end = start + w.bytes().length;
        for (long sector = start / SECTOR * SECTOR; sector < end; sector += SECTOR) {
            if (!written.computeIfAbsent(List.of((long) ino, sector), s -> random.nextBoolean())) continue;
            long from = Math.max(sector, start);
            long to = Math.min(sector + SECTOR, end);
            out = write(out, from, w.bytes(), (int) (from - start), (int) (to - from));
        }
        return out;
    }

    private static String dirOf(Op op) {
        String path = switch (op) {
            case Op.Create c -> c.path();
            case Op.Rename r -> r.to();
            case Op.Link l -> l.link();
            case Op.Delete d -> d.path();
            case Op.Mkdir m -> m.dir();
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

    /** Whether a force that returned before op k covers op i (its data; with {@code size}, its length too). */
    private boolean covered(int i, int k, boolean size) {
        if (brokenForce || inodeOf[i] < 0) return false;
        for (int j = i + 1; j < k; j++) {
            if (ops.get(j) instanceof Op.Force f && inodeOf[j] == inodeOf[i] && i < f.coversBefore() && (f.metadata() || !size)) return true;
        }
        return false;
    }

    private static byte[] write(byte[] content, long position, byte[] bytes, int from, int count) {
        byte[] out = content.length < position + count ? Arrays.copyOf(content, (int) (position + count)) : content.clone();
        System.arraycopy(bytes, from, out, (int) position, count);
        return out;
    }
}
