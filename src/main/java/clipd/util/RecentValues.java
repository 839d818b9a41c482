package clipd.util;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The last few values computed, by key, the least recently used one forgotten first; for embeddings a page asks
 * for again with every page of results. Thread-safe.
 */
public final class RecentValues<K, V> {
    private final Map<K, V> values;

    public RecentValues(int capacity) {
        this.values = new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<K, V> eldest) {
                return size() > capacity;
            }
        };
    }

    /** The value kept for {@code key}, or null. */
    public V get(K key) {
        synchronized (values) {
            return values.get(key);
        }
    }

    public void put(K key, V value) {
        synchronized (values) {
            values.put(key, value);
        }
    }
}
