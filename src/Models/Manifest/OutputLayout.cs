namespace Vision.Models;

/// <summary>How a detector's output tensor is laid out and decoded.</summary>
public enum OutputLayout
{
    /// <summary>Raw YOLOX head <c>[B, anchors, 5+nc]</c>: grid offsets, log sizes, objectness, class scores; decoded with strides.</summary>
    Yolox,

    /// <summary>YOLOv5 <c>[B, N, 5+nc]</c>: decoded centre x, y, width, height in input pixels, objectness, class scores.</summary>
    Yolov5,

    /// <summary>YOLOv8 / YOLO11 <c>[B, 4+nc, N]</c>: decoded centre x, y, width, height, class scores, no objectness.</summary>
    Yolov8,
}
