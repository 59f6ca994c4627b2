using System.Reflection;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.Extensions.Options;

namespace Chorus.Server.Infrastructure;

/// <summary>
/// 200 with a JSON body, like <c>TypedResults.Ok</c>, but serialized in one synchronous pass into a pooled buffer and
/// written with a Content-Length, with the hand-written converters for the types read most. Serializing a feed page through
/// System.Text.Json's metadata was half of a warm home-feed request's CPU (W2 in bench/findings.md). For responses
/// that are built in memory anyway; the body is written once at the end.
/// </summary>
public sealed class OkJson<T>(T value) : IResult, IStatusCodeHttpResult, IValueHttpResult, IValueHttpResult<T>, IEndpointMetadataProvider
{
    public T Value { get; } = value;
    object? IValueHttpResult.Value => Value;
    public int? StatusCode => StatusCodes.Status200OK;

    public Task ExecuteAsync(HttpContext http) => FastJson.WriteAsync(http, StatusCodes.Status200OK, Value);

    public static void PopulateMetadata(MethodInfo method, EndpointBuilder builder) =>
        builder.Metadata.Add(new ProducesResponseTypeMetadata(StatusCodes.Status200OK, typeof(T), ["application/json"]));
}

/// <summary>201 with a Location and a JSON body, written like <see cref="OkJson{T}"/> (a new post's answer).</summary>
public sealed class CreatedJson<T>(string location, T value) : IResult, IStatusCodeHttpResult, IValueHttpResult, IValueHttpResult<T>, IEndpointMetadataProvider
{
    public T Value { get; } = value;
    public string Location { get; } = location;
    object? IValueHttpResult.Value => Value;
    public int? StatusCode => StatusCodes.Status201Created;

    public Task ExecuteAsync(HttpContext http)
    {
        http.Response.Headers.Location = Location;
        return FastJson.WriteAsync(http, StatusCodes.Status201Created, Value);
    }

    public static void PopulateMetadata(MethodInfo method, EndpointBuilder builder) =>
        builder.Metadata.Add(new ProducesResponseTypeMetadata(StatusCodes.Status201Created, typeof(T), ["application/json"]));
}

public static class FastJson
{
    /// <summary>
    /// The API's options plus the hand-written write-only converters registered as <see cref="System.Text.Json.Serialization.JsonConverter"/>
    /// services (such as PostJson): they write the same JSON, faster, and stay out of the API's options so the OpenAPI
    /// document still describes the types from their properties.
    /// </summary>
    static JsonSerializerOptions? _options;

    static JsonSerializerOptions OptionsFor(HttpContext http) => Options(http.RequestServices);

    /// <summary>The options, for JSON written outside a response (the stream events of posts).</summary>
    public static JsonSerializerOptions Options(IServiceProvider services)
    {
        if (_options is { } known) return known;
        var options = new JsonSerializerOptions(services.GetRequiredService<IOptions<JsonOptions>>().Value.SerializerOptions);
        foreach (var converter in services.GetServices<System.Text.Json.Serialization.JsonConverter>()) options.Converters.Add(converter);
        options.MakeReadOnly();
        return _options = options;
    }

    /// <summary>
    /// Serializes into a pooled buffer, then answers with a Content-Length and the buffer in one write. Writing straight
    /// into the response before its headers made Kestrel hold the body aside, copy it behind the headers and send it
    /// chunked (W2 in bench/findings.md, 2026-12-04).
    /// </summary>
    public static async Task WriteAsync<T>(HttpContext http, int status, T value)
    {
        var options = OptionsFor(http);
        var info = (JsonTypeInfo<T>)options.GetTypeInfo(typeof(T));
        http.Response.StatusCode = status;
        http.Response.ContentType = "application/json; charset=utf-8";
        var buffer = Buffers.Get();
        try
        {
            // Feed pages, the answers read most, are written by hand from their posts' pre-written JSON.
            if (value is Features.People.Page<Features.Posts.PostDto> page && Features.Posts.PostJson.WritesPagesFor(options))
                Features.Posts.PostJson.WritePage(buffer, page, options);
            else
                using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = options.Encoder, SkipValidation = true }))
                    JsonSerializer.Serialize(writer, value, info);
            http.Response.ContentLength = buffer.WrittenCount;
            await http.Response.BodyWriter.WriteAsync(buffer.WrittenMemory, http.RequestAborted);
        }
        finally
        {
            Buffers.Return(buffer);
        }
    }

    /// <summary>Response buffers: a feed page is ~20 KB; a buffer that grew past 256 KB for a rare large answer is let go.</summary>
    static readonly Microsoft.Extensions.ObjectPool.ObjectPool<System.Buffers.ArrayBufferWriter<byte>> Buffers =
        new Microsoft.Extensions.ObjectPool.DefaultObjectPool<System.Buffers.ArrayBufferWriter<byte>>(new BufferPolicy(), Environment.ProcessorCount * 8);

    sealed class BufferPolicy : Microsoft.Extensions.ObjectPool.PooledObjectPolicy<System.Buffers.ArrayBufferWriter<byte>>
    {
        public override System.Buffers.ArrayBufferWriter<byte> Create() => new(32 * 1024);

        public override bool Return(System.Buffers.ArrayBufferWriter<byte> buffer)
        {
            if (buffer.Capacity > 256 * 1024) return false;
            buffer.ResetWrittenCount();
            return true;
        }
    }
}
