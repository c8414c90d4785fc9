namespace Vision.Rules.Evaluation;

/// <summary>
/// Inside/outside a zone with a few frames of inertia: the first observation decides at once, later
/// changes need <c>inertia</c> consecutive contrary observations, so an anchor on the boundary does not flicker.
/// </summary>
internal struct ZoneMembership
{
    private int _contrary;
    private bool _initialised;

    public bool Inside { get; private set; }
    public string? ZoneId { get; private set; }

    public void Update(string? zoneContainingAnchor, int inertia)
    {
        bool rawInside = zoneContainingAnchor is not null;
        if (!_initialised)
        {
            _initialised = true;
            Inside = rawInside;
            ZoneId = zoneContainingAnchor;
            return;
        }

        if (rawInside == Inside)
        {
            _contrary = 0;
            if (rawInside) ZoneId = zoneContainingAnchor;
            return;
        }

        if (++_contrary < inertia) return;
        _contrary = 0;
        Inside = rawInside;
        if (rawInside) ZoneId = zoneContainingAnchor;
    }
}
