using System.Text.Json.Serialization;

namespace Pab.Common;

[JsonSourceGenerationOptions(
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    WriteIndented = false)]
[JsonSerializable(typeof(Record))]
public sealed partial class RecordJsonContext : JsonSerializerContext;
