namespace Pukeko.Server.Pipeline;

/// <summary>What the pipeline does after a hook point that can park.</summary>
internal enum HookFlow
{
    /// <summary>Go on with the next stage now.</summary>
    Continue,

    /// <summary>The packet is dropped.</summary>
    Drop,

    /// <summary>The packet waits in the hook point's parking lot; processing resumes on unpark.</summary>
    Parked,
}
