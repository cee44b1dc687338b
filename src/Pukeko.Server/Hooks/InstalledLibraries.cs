namespace Pukeko.Server.Hooks;

/// <summary>A set of loaded hook libraries with the configuration they came from; what a swap exchanges.</summary>
internal sealed record InstalledLibraries(List<LoadedLibrary> Libraries, IReadOnlyList<Configuration.HooksLibraryConfig> Configured, bool MultiThreading);
