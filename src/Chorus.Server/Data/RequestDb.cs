namespace Chorus.Server.Data;

/// <summary>
/// A request's <see cref="ChorusDb"/>, rented from the context pool at its first use rather than when a service that
/// might need it is built. Posting and most home-feed pages are answered from memory (the post writer, the read
/// models); renting and resetting a pooled context they never queried cost ~7% of the server's CPU per post and ~10%
/// per home-feed page (paired runs, ADR 015). One per scope, so every service of a request still shares one context; a service that takes
/// <see cref="ChorusDb"/> itself rents the same one, and <see cref="IfRented"/> sees it (DatabaseSetup registers the
/// context so).
/// </summary>
public sealed class RequestDb(IServiceProvider services)
{
    ChorusDb? _context;

    /// <summary>The request's context, rented now if this is its first use.</summary>
    public ChorusDb Context => _context ?? services.GetRequiredService<ChorusDb>();

    /// <summary>The context if anything in this scope has rented it yet; null otherwise (nothing tracked, no transaction).</summary>
    public ChorusDb? IfRented => _context;

    internal void Rented(ChorusDb context) => _context = context;
}
