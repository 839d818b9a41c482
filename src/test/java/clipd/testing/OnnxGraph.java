package clipd.testing;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/**
 * Builds an ONNX model (ir_version 8, opset 17) message by message; field numbers are those of onnx.proto.
 * Only what the tiny test models use: float and int64 tensors, int and ints attributes.
 */
final class OnnxGraph {
    static final int FLOAT = 1;
    static final int INT64 = 7;

    private final List<Protobuf> nodes = new ArrayList<>();
    private final List<Protobuf> initializers = new ArrayList<>();
    private final List<Protobuf> inputs = new ArrayList<>();
    private final List<Protobuf> outputs = new ArrayList<>();

    OnnxGraph input(String name, int elemType, Object... dims) {
        inputs.add(valueInfo(name, elemType, dims));
        return this;
    }

    OnnxGraph output(String name, int elemType, Object... dims) {
        outputs.add(valueInfo(name, elemType, dims));
        return this;
    }

    OnnxGraph floats(String name, float[] values, long... dims) {
        ByteBuffer raw = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (float v : values) {
            raw.putFloat(v);
        }
        initializers.add(tensor(name, FLOAT, raw.array(), dims));
        return this;
    }

    OnnxGraph longs(String name, long[] values, long... dims) {
        ByteBuffer raw = ByteBuffer.allocate(values.length * 8).order(ByteOrder.LITTLE_ENDIAN);
        for (long v : values) {
            raw.putLong(v);
        }
        initializers.add(tensor(name, INT64, raw.array(), dims));
        return this;
    }

    /** A node; attributes are name/value pairs, a value being a Long (INT) or a long[] (INTS). */
    OnnxGraph node(String op, List<String> in, String out, Object... attributes) {
        Protobuf node = new Protobuf();
        in.forEach(i -> node.string(1, i));
        node.string(2, out).string(3, out + "_" + op).string(4, op);
        for (int i = 0; i < attributes.length; i += 2) {
            Protobuf a = new Protobuf().string(1, (String) attributes[i]);
            if (attributes[i + 1] instanceof long[] ints) {
                for (long v : ints) {
                    a.varint(8, v);
                }
                a.varint(20, 7);
            } else {
                a.varint(3, (Long) attributes[i + 1]).varint(20, 2);
            }
            node.message(5, a);
        }
        nodes.add(node);
        return this;
    }

    byte[] toModel(String graphName) {
        Protobuf graph = new Protobuf();
        nodes.forEach(n -> graph.message(1, n));
        graph.string(2, graphName);
        initializers.forEach(t -> graph.message(5, t));
        inputs.forEach(v -> graph.message(11, v));
        outputs.forEach(v -> graph.message(12, v));
        return new Protobuf()
                .varint(1, 8)
                .string(2, "clipd.testing.TinyClipModel")
                .message(7, graph)
                .message(8, new Protobuf().string(1, "").varint(2, 17))
                .toByteArray();
    }

    private static Protobuf tensor(String name, int type, byte[] raw, long... dims) {
        Protobuf t = new Protobuf();
        for (long d : dims) {
            t.varint(1, d);
        }
        return t.varint(2, type).string(8, name).bytes(9, raw);
    }

    /** Dimensions are numbers (fixed) or strings (symbolic, such as the batch). */
    private static Protobuf valueInfo(String name, int elemType, Object... dims) {
        Protobuf shape = new Protobuf();
        for (Object d : dims) {
            shape.message(1, d instanceof String s ? new Protobuf().string(2, s)
                    : new Protobuf().varint(1, ((Number) d).longValue()));
        }
        Protobuf tensorType = new Protobuf().varint(1, elemType).message(2, shape);
        return new Protobuf().string(1, name).message(2, new Protobuf().message(1, tensorType));
    }
}
