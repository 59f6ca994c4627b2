using Chorus.Server.Data;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Chorus.Server.Infrastructure;

/// <summary>
/// Ready means the database answers and its schema is the one this build expects. Asked on a plain connection
/// (<see cref="DatabaseSetup.OpenConnectionAsync"/>), the same way the migrations ran.
/// </summary>
public sealed class DatabaseHealthCheck(ChorusSettings settings) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken ct = default)
    {
        try
        {
            await using var connection = await DatabaseSetup.OpenConnectionAsync(settings, ct);
            var version = await SchemaMigrator.ReadVersionAsync(connection, ct);
            var expected = SchemaMigrator.LatestVersion(settings.Provider);
            return version >= expected
                ? HealthCheckResult.Healthy($"schema {version}")
                : HealthCheckResult.Unhealthy($"schema {version}, expected {expected}");
        }
        catch (Exception e) when (e is System.Data.Common.DbException or InvalidOperationException)
        {
            return HealthCheckResult.Unhealthy("database unreachable", e);
        }
    }
}
