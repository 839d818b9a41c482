package clipd.testing;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/** The few protobuf wire-format pieces an ONNX file needs: varints, length-delimited fields, nested messages. */
final class Protobuf {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    Protobuf varint(int field, long value) {
        tag(field, 0);
        writeVarint(value);
        return this;
    }

    Protobuf string(int field, String value) {
        return bytes(field, value.getBytes(StandardCharsets.UTF_8));
    }

    Protobuf message(int field, Protobuf message) {
        return bytes(field, message.toByteArray());
    }

    Protobuf bytes(int field, byte[] value) {
        tag(field, 2);
        writeVarint(value.length);
        out.writeBytes(value);
        return this;
    }

    byte[] toByteArray() {
        return out.toByteArray();
    }

    private void tag(int field, int wireType) {
        writeVarint(((long) field << 3) | wireType);
    }

    private void writeVarint(long v) {
        while ((v & ~0x7fL) != 0) {
            out.write((int) ((v & 0x7f) | 0x80));
            v >>>= 7;
        }
        out.write((int) v);
    }
}
