using System.Text;

namespace Vision.Models.Tests.Support;

/// <summary>
/// Builds tiny ONNX models in memory (hand-written protobuf): a single Reshape from the image input <c>[B,3,H,W]</c> to an
/// output <c>[B,rows,cols]</c>, so a test controls the "detections" through the pixels of the frames it feeds.
/// </summary>
internal static class TinyOnnxModel
{
    private const int FloatType = 1;
    private const int Int64Type = 7;

    /// <param name="batch">Fixed batch size, or null for a dynamic (symbolic) batch dimension.</param>
    public static byte[] Reshape(string inputName, string outputName, int height, int width, long rows, long cols, int? batch)
    {
        if (3L * height * width != rows * cols) throw new ArgumentException("rows * cols must equal 3 * height * width");
        var shape = new long[] { 0, rows, cols };
        var raw = new byte[shape.Length * 8];
        for (int i = 0; i < shape.Length; i++) BitConverter.TryWriteBytes(raw.AsSpan(i * 8), shape[i]);

        var model = new Proto();
        model.Varint(1, 8); // ir_version
        model.String(2, "vision-tests");
        model.Message(7, graph =>
        {
            graph.Message(1, node =>
            {
                node.String(1, inputName);
                node.String(1, "shape");
                node.String(2, outputName);
                node.String(3, "reshape");
                node.String(4, "Reshape");
            });
            graph.String(2, "tiny");
            graph.Message(5, tensor =>
            {
                tensor.Varint(1, shape.Length);
                tensor.Varint(2, Int64Type);
                tensor.String(8, "shape");
                tensor.Bytes(9, raw);
            });
            graph.Message(11, value => ValueInfo(value, inputName, batch, [3, height, width]));
            graph.Message(12, value => ValueInfo(value, outputName, batch, [rows, cols]));
        });
        model.Message(8, opset =>
        {
            opset.String(1, "");
            opset.Varint(2, 13);
        });
        return model.ToArray();
    }

    private static void ValueInfo(Proto value, string name, int? batch, long[] dims)
    {
        value.String(1, name);
        value.Message(2, type => type.Message(1, tensor =>
        {
            tensor.Varint(1, FloatType);
            tensor.Message(2, shape =>
            {
                shape.Message(1, dim =>
                {
                    if (batch is int fixedBatch) dim.Varint(1, fixedBatch);
                    else dim.String(2, "batch");
                });
                foreach (var d in dims) shape.Message(1, dim => dim.Varint(1, d));
            });
        }));
    }

    private sealed class Proto
    {
        private readonly MemoryStream _stream = new();

        public void Varint(int field, long value)
        {
            Tag(field, 0);
            Raw((ulong)value);
        }

        public void String(int field, string value) => Bytes(field, Encoding.UTF8.GetBytes(value));

        public void Bytes(int field, byte[] value)
        {
            Tag(field, 2);
            Raw((ulong)value.Length);
            _stream.Write(value);
        }

        public void Message(int field, Action<Proto> write)
        {
            var inner = new Proto();
            write(inner);
            Bytes(field, inner.ToArray());
        }

        public byte[] ToArray() => _stream.ToArray();

        private void Tag(int field, int wireType) => Raw((ulong)((field << 3) | wireType));

        private void Raw(ulong value)
        {
            while (value >= 0x80)
            {
                _stream.WriteByte((byte)(value | 0x80));
                value >>= 7;
            }
            _stream.WriteByte((byte)value);
        }
    }
}
