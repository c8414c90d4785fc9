using System.Globalization;
using Microsoft.AspNetCore.Http;

namespace Vision.ReviewConsole;

/// <summary>The console API's usual error body: a code the pages translate, or a sentence for people.</summary>
internal sealed record ErrorBody(string Error);

/// <summary>An error code with a sentence that says what happened and what to do.</summary>
internal sealed record ExplainedError(string Error, string Message);

/// <summary>Too many sign-in attempts from one address (or for one account): wait this long.</summary>
internal sealed record RetryLater(string Error, int RetryAfterSeconds);

/// <summary>The error answers more than one resource gives.</summary>
internal static class ErrorAnswers
{
    public static IResult BadRequest(string error) => Results.Json(new ErrorBody(error), statusCode: StatusCodes.Status400BadRequest);

    public static IResult NotFound(string what) => Results.Json(new ErrorBody($"no {what}"), statusCode: StatusCodes.Status404NotFound);

    public static IResult Explained(string error, string message, int statusCode) => Results.Json(new ExplainedError(error, message), statusCode: statusCode);

    /// <summary>429 <c>too_many_attempts</c> with <c>Retry-After</c> in whole seconds.</summary>
    public static IResult TooManyAttempts(HttpContext context, TimeSpan wait)
    {
        int seconds = (int)Math.Ceiling(wait.TotalSeconds);
        context.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
        return Results.Json(new RetryLater("too_many_attempts", seconds), statusCode: StatusCodes.Status429TooManyRequests);
    }
}
