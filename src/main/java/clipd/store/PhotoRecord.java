package clipd.store;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * Where a photo lives now, as far as the index knows: its content hash (which names its embedding) and the size and
 * modification time that tell whether the file must be read again.
 */
public record PhotoRecord(String hash, long size, long modifiedMillis) {
    private static final int FORMAT = 1;

    public boolean sameFileState(long size, long modifiedMillis) {
        return this.size == size && this.modifiedMillis == modifiedMillis;
    }

    byte[] toBytes() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(96);
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeByte(FORMAT);
            out.writeUTF(hash);
            out.writeLong(size);
            out.writeLong(modifiedMillis);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    static PhotoRecord fromBytes(byte[] data) {
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(data))) {
            int format = in.readUnsignedByte();
            if (format != FORMAT) {
                throw new IllegalStateException("photo record format " + format + " is not known");
            }
            return new PhotoRecord(in.readUTF(), in.readLong(), in.readLong());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
