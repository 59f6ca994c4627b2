using System.Reflection;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.Extensions.Options;

namespace Chorus.Server.Infrastructure;

/// <summary>
/// 200 with a JSON body, like <c>TypedResults.Ok</c>, but serialized in one synchronous pass straight into the
/// response's buffers, with the hand-written converters for the types read most. Serializing a feed page through
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

    public static Task WriteAsync<T>(HttpContext http, int status, T value)
    {
        var options = OptionsFor(http);
        var info = (JsonTypeInfo<T>)options.GetTypeInfo(typeof(T));
        http.Response.StatusCode = status;
        http.Response.ContentType = "application/json; charset=utf-8";
        using (var writer = new Utf8JsonWriter(http.Response.BodyWriter, new JsonWriterOptions { Encoder = options.Encoder, SkipValidation = true }))
            JsonSerializer.Serialize(writer, value, info);
        return http.Response.BodyWriter.FlushAsync(http.RequestAborted).AsTask();
    }
}
