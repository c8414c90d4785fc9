namespace Vision.Pipeline.Detect.NewObjects;

/// <summary>Where a <see cref="SceneModel"/> stands with its camera's empty scene.</summary>
internal enum SceneState
{
    /// <summary>Learning the scene for the first time; blocks already learned may report candidates.</summary>
    Learning,

    /// <summary>Enough of the scene is learned (<see cref="NewObjectOptions.ReadyFraction"/>).</summary>
    Ready,

    /// <summary>The whole view changed (<see cref="SceneStatus.LastGlobalChange"/> says how); everything learned was dropped and is being learned again.</summary>
    Relearning,
}

/// <summary>What made the whole view change.</summary>
internal enum GlobalChangeKind
{
    /// <summary>The picture moved as a whole: the camera was knocked, or a PTZ preset came back somewhere else.</summary>
    CameraMoved,

    /// <summary>The picture changed everywhere without moving: day/night switch, the view blocked, a new lens setting.</summary>
    SceneChanged,
}

/// <summary>One change of the whole view, and what the model did about it (re-learned).</summary>
/// <param name="At">Frame time at which it was detected.</param>
/// <param name="ChangedFraction">Share of the textured, learned blocks that had changed and were still.</param>
/// <param name="ShiftX">For <see cref="GlobalChangeKind.CameraMoved"/>, how far the picture moved, in analysis pixels (positive: content moved right).</param>
/// <param name="ShiftY">Likewise, downwards.</param>
internal sealed record GlobalChange(DateTimeOffset At, GlobalChangeKind Kind, float ChangedFraction, float ShiftX, float ShiftY);

/// <summary>The state of a <see cref="SceneModel"/> after a frame.</summary>
/// <param name="State">Learning, ready, or re-learning after a change of the whole view.</param>
/// <param name="Since">Frame time at which <paramref name="State"/> began.</param>
/// <param name="LearnedFraction">Share of the frame's blocks (outside excluded areas) whose empty look is learned.</param>
/// <param name="LastGlobalChange">The latest change of the whole view; null if none yet.</param>
internal readonly record struct SceneStatus(SceneState State, DateTimeOffset Since, float LearnedFraction, GlobalChange? LastGlobalChange);

/// <summary>What <see cref="SceneModel.Observe"/> returns: the model's status and its candidates, valid until the next frame.</summary>
internal readonly record struct SceneReading(SceneStatus Status, IReadOnlyList<NewObject> Candidates);
