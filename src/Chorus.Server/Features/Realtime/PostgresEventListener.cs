using Chorus.Server.Infrastructure;
using Npgsql;

namespace Chorus.Server.Features.Realtime;

/// <summary>
/// On PostgreSQL, other nodes announce newly numbered events with NOTIFY; this LISTENs on a dedicated connection and
/// wakes the local dispatcher. The events themselves are always read from the table, so a lost notification (or a
/// dropped listener connection) costs at most one poll interval, never an event.
/// </summary>
public sealed class PostgresEventListener(ChorusSettings settings, EventSignal signal, ILogger<PostgresEventListener> log) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stop)
    {
        if (settings.Provider != DatabaseProvider.Postgres) return;
        var cs = new NpgsqlConnectionStringBuilder(settings.ConnectionString) { KeepAlive = 30, Pooling = false }.ConnectionString;
        while (!stop.IsCancellationRequested)
        {
            try
            {
                await using var connection = await Data.DatabaseSetup.PostgresSource(cs).OpenConnectionAsync(stop);
                // Sent after numbering (the sequencer, a post writer's batch): nothing new waits for this node's sequencer.
                connection.Notification += (_, _) => signal.RaiseNumbered();
                await using (var cmd = new NpgsqlCommand($"LISTEN {EventSequencer.Channel}", connection))
                    await cmd.ExecuteNonQueryAsync(stop);
                signal.Raise(); // catch up on anything announced while not listening
                while (!stop.IsCancellationRequested) await connection.WaitAsync(stop);
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested) { }
            catch (Exception e) when (e is NpgsqlException or System.Net.Sockets.SocketException or IOException or InvalidOperationException)
            {
                log.LogWarning(e, "Lost the PostgreSQL event listener; reconnecting");
                await Task.Delay(TimeSpan.FromSeconds(1), stop).ContinueWith(_ => { }, TaskScheduler.Default);
            }
        }
    }
}
