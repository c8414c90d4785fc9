namespace Vision.Models;

/// <summary>Which ONNX Runtime execution provider runs the model.</summary>
public enum ExecutionProvider { Cpu, Cuda, TensorRt }
