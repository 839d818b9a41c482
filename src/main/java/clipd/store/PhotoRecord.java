package clipd.store;

import clipd.identify.PhotoFacts;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * Where a photo lives now, as far as the index knows: its content hash (which names its embedding), the size and
 * modification time that tell whether the file must be read again, and its metadata ({@code facts}; null in a
 * record written before clipd read metadata, which the next scan fills in without re-embedding).
 */
public record PhotoRecord(String hash, long size, long modifiedMillis, PhotoFacts facts) {
    private static final int FORMAT = 2;

    public PhotoRecord(String hash, long size, long modifiedMillis) {
        this(hash, size, modifiedMillis, null);
    }

    /** Unchanged on disk, and nothing left to learn about it. */
    public boolean sameFileState(long size, long modifiedMillis) {
        return this.size == size && this.modifiedMillis == modifiedMillis && facts != null;
    }

    byte[] toBytes() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(128);
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeByte(FORMAT);
            out.writeUTF(hash);
            out.writeLong(size);
            out.writeLong(modifiedMillis);
            out.writeBoolean(facts != null);
            if (facts != null) {
                writeFacts(out, facts);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    static PhotoRecord fromBytes(byte[] data) {
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(data))) {
            int format = in.readUnsignedByte();
            if (format != 1 && format != FORMAT) {
                throw new IllegalStateException("photo record format " + format + " is not known");
            }
            String hash = in.readUTF();
            long size = in.readLong();
            long modified = in.readLong();
            PhotoFacts facts = format >= 2 && in.readBoolean() ? readFacts(in) : null;
            return new PhotoRecord(hash, size, modified, facts);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void writeFacts(DataOutputStream out, PhotoFacts f) throws IOException {
        writeLong(out, f.takenWallMillis());
        writeLong(out, f.offsetMinutes() == null ? null : f.offsetMinutes().longValue());
        writeText(out, f.takenSource());
        writeDouble(out, f.latitude());
        writeDouble(out, f.longitude());
        writeText(out, f.make());
        writeText(out, f.model());
        writeText(out, f.lens());
        out.writeByte(f.orientation());
        out.writeInt(f.width());
        out.writeInt(f.height());
        writeText(out, f.type());
    }

    /** The text fields repeat across a library (a few cameras, a few types): one copy of each in memory. */
    private static PhotoFacts readFacts(DataInputStream in) throws IOException {
        Long taken = readLong(in);
        Long offset = readLong(in);
        return new PhotoFacts(taken, offset == null ? null : offset.intValue(), shared(readText(in)), readDouble(in),
                readDouble(in), shared(readText(in)), shared(readText(in)), shared(readText(in)), in.readByte(),
                in.readInt(), in.readInt(), shared(readText(in)));
    }

    private static String shared(String s) {
        return s == null ? null : s.intern();
    }

    private static void writeLong(DataOutputStream out, Long v) throws IOException {
        out.writeBoolean(v != null);
        if (v != null) {
            out.writeLong(v);
        }
    }

    private static Long readLong(DataInputStream in) throws IOException {
        return in.readBoolean() ? in.readLong() : null;
    }

    private static void writeDouble(DataOutputStream out, Double v) throws IOException {
        out.writeBoolean(v != null);
        if (v != null) {
            out.writeDouble(v);
        }
    }

    private static Double readDouble(DataInputStream in) throws IOException {
        return in.readBoolean() ? in.readDouble() : null;
    }

    private static void writeText(DataOutputStream out, String v) throws IOException {
        out.writeBoolean(v != null);
        if (v != null) {
            out.writeUTF(v);
        }
    }

    private static String readText(DataInputStream in) throws IOException {
        return in.readBoolean() ? in.readUTF() : null;
    }
}
