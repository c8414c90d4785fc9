namespace Vision.Models;

/// <summary>Order of the colour planes the model expects in its input tensor.</summary>
public enum ChannelOrder { Bgr, Rgb }
