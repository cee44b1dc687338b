using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;

namespace Pukeko.Server.Logging;

internal static class KeaLoggingBuilderExtensions
{
    /// <summary>
    /// Registers <paramref name="provider"/> (a process-wide instance the caller keeps, to call
    /// <see cref="KeaLoggerProvider.Apply"/> on reload) and lets every level through to it, so the
    /// Kea <c>loggers</c> configuration alone decides what is written. The caller owns and
    /// disposes the provider. Call <c>ClearProviders()</c> first to drop the console provider.
    /// </summary>
    public static ILoggingBuilder AddKeaLogging(this ILoggingBuilder builder, KeaLoggerProvider provider)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(provider);
        builder.Services.TryAddSingleton(provider);
        builder.Services.AddSingleton<ILoggerProvider>(new NonOwningProvider(provider));
        builder.AddFilter<NonOwningProvider>(null, LogLevel.Trace);
        return builder;
    }

    // The DI container disposes registered ILoggerProvider instances; the daemon must keep
    // logging until its very last line, so the container gets a wrapper that does not
    // dispose the real provider.
    [ProviderAlias("Kea")]
    private sealed class NonOwningProvider(KeaLoggerProvider inner) : ILoggerProvider
    {
        public ILogger CreateLogger(string categoryName) => inner.CreateLogger(categoryName);

        public void Dispose() => inner.Flush();
    }
}

/// <summary>Convenience calls for code that does not use <c>[LoggerMessage]</c>.</summary>
internal static class KeaLoggerExtensions
{
    /// <summary>Logs <c>MSG_ID text</c> at <paramref name="level"/>.</summary>
    public static void LogKea(this ILogger logger, LogLevel level, string messageId, string text)
    {
        ArgumentNullException.ThrowIfNull(logger);
        logger.Log(level, new EventId(0, messageId), text, null, static (s, _) => s);
    }

    /// <summary>Logs a DEBUG message at Kea debug level <paramref name="debugLevel"/> (0..99).</summary>
    public static void LogKeaDebug(this ILogger logger, int debugLevel, string messageId, string text)
    {
        ArgumentNullException.ThrowIfNull(logger);
        logger.Log(LogLevel.Debug, new EventId(KeaDebugLevel.EventId(debugLevel), messageId), text, null, static (s, _) => s);
    }
}
