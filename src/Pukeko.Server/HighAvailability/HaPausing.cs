namespace Pukeko.Server.HighAvailability;

/// <summary>When the state machine stops in a state until <c>ha-continue</c> (<c>state-machine.states[].pause</c>).</summary>
internal enum HaPausing
{
    Never,
    Always,
    Once,
}
