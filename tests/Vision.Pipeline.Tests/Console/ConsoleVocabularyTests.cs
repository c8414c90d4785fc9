using Vision.ReviewConsole;
using Vision.Rules.Config;
using Vision.Storage;

namespace Vision.Pipeline.Tests.Console;

public sealed class ConsoleVocabularyTests
{
    [Fact]
    public void Every_code_the_vocabulary_offers_is_one_the_api_accepts()
    {
        var vocabulary = ConsoleVocabulary.Current;
        Assert.Equal(["auto_captured", "confirmed", "rejected", "dispatched"], vocabulary.Statuses);
        Assert.All(vocabulary.Statuses, s => Assert.True(CaseStatusNames.TryParse(s, out _), s));
        Assert.Equal(["illegal_parking", "street_stall", "litter"], vocabulary.Violations);
        Assert.All(vocabulary.Violations, v => Assert.True(ViolationTypeNames.TryParse(v, out _), v));
        Assert.Equal(["officer", "engineer", "admin"], vocabulary.Roles);
        Assert.All(vocabulary.Roles, r => Assert.True(ConsoleRoleNames.TryParse(r, out _), r));
        Assert.All(vocabulary.RejectReasons, r => Assert.Null(RejectReasons.Problem(r, "a note")));
        Assert.Equal(RejectReasons.Other, vocabulary.RejectReasons[^1]);
    }

    [Fact]
    public void Error_messages_list_the_choices_from_the_vocabulary()
    {
        Assert.Equal("role must be officer, engineer or admin", ConsoleEndpoints.CheckNewUser("wang", "chief", "correct horse battery"));
        Assert.Equal("a, b or c", ConsoleVocabulary.Choices(["a", "b", "c"]));
        Assert.Equal("a", ConsoleVocabulary.Choices(["a"]));
        Assert.Equal("reason 'other' needs a note", RejectReasons.Problem("other", " "));
        Assert.Equal("reason must be one of false_detection, permitted, duplicate, evidence_unclear, other", RejectReasons.Problem("bored", null));
    }
}
