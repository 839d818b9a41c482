package clipd.index;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Paths the last scans could not see (an unreadable folder, an I/O error, a file that vanished mid-walk, a library
 * folder whose disk is not mounted), with the reason. What the index knows under them is kept, unverified, and
 * looked at again by the next scan. Also follows the file system each library folder is on, so that a mount or
 * unmount (its device changes) is noticed and the folder watched anew.
 */
public final class Unseen {
    private static final System.Logger LOG = System.getLogger(Unseen.class.getName());

    private final Map<Path, String> reasons = new ConcurrentHashMap<>();
    /** What the scan before the current one found, so that a folder unreadable for days is logged once, not hourly. */
    private final Map<Path, String> before = new ConcurrentHashMap<>();
    private final Map<Path, String> devices = new ConcurrentHashMap<>();
    /** Paths whose scan is under way: what was unseen under them is still shown until the scan says otherwise. */
    private final Set<Path> scanning = ConcurrentHashMap.newKeySet();
    private volatile boolean deviceChanged;

    /** Forgets what was unseen under {@code path}, before it is scanned again. */
    void rescanning(Path path) {
        before.keySet().removeIf(p -> p.startsWith(path));
        reasons.forEach((p, reason) -> {
            if (p.startsWith(path)) {
                before.put(p, reason);
            }
        });
        reasons.keySet().removeIf(p -> p.startsWith(path));
        scanning.add(path);
    }

    /** The scan of {@code path} is over: what it could not see has been {@link #add added} again. */
    void scanned(Path path) {
        scanning.remove(path);
    }

    /** A folder left the library: nothing under it is unseen any more. */
    void forget(Path path) {
        reasons.keySet().removeIf(p -> p.startsWith(path));
        before.keySet().removeIf(p -> p.startsWith(path));
    }

    void add(Path path, String reason) {
        if (reasons.put(path, reason) == null && !reason.equals(before.get(path))) {
            LOG.log(System.Logger.Level.WARNING, "cannot see {0} ({1}); what the index knows of it is kept, and "
                    + "looked at again later", path, reason);
        }
    }

    /** Whether a path lies at or under something unseen. */
    boolean covers(Path path) {
        for (Path p : reasons.keySet()) {
            if (path.startsWith(p)) {
                return true;
            }
        }
        return false;
    }

    /** "path: reason" for each, for the status; during a scan, also what the scan before it could not see. */
    public List<String> list() {
        Map<Path, String> shown = new HashMap<>(reasons);
        before.forEach((p, reason) -> {
            if (scanning.stream().anyMatch(p::startsWith)) {
                shown.putIfAbsent(p, reason);
            }
        });
        return shown.entrySet().stream().map(e -> e.getKey() + ": " + e.getValue()).sorted().toList();
    }

    /**
     * Notes the file system a library folder is on now; a change (mounted, unmounted) is logged and remembered.
     * Returns whether the folder is on another file system than {@code recorded}, the one it last held photos on
     * (or, never recorded, whether it is new to this process or changed file system in it): then, if it holds
     * nothing, it is taken for an empty mount point rather than for a library whose every photo was deleted. A
     * folder emptied on the disk it was indexed on is what it looks like.
     */
    boolean device(Path root, String recorded) {
        String now = deviceOf(root);
        String before = devices.put(root, now);
        if (before != null && !before.equals(now)) {
            deviceChanged = true;
            LOG.log(System.Logger.Level.WARNING, "{0} is on another file system than before (mounted or "
                    + "unmounted); watching it anew", root);
        }
        if (recorded != null) {
            return !now.equals(recorded);
        }
        return before == null || !before.equals(now);
    }

    /** The file system a library folder was on when {@link #device} last looked; null for any other folder. */
    String deviceNow(Path root) {
        return devices.get(root);
    }

    /** The file system a folder is on, as the device number stat gives. */
    private static String deviceOf(Path folder) {
        try {
            return String.valueOf(Files.getAttribute(folder, "unix:dev"));
        } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
            return "unknown";
        }
    }

    /** Whether a library folder changed file system since the last call. */
    public boolean takeDeviceChange() {
        boolean changed = deviceChanged;
        deviceChanged = false;
        return changed;
    }
}
