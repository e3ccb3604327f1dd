using System.Buffers;
using Microsoft.ML.Tokenizers;

namespace TTScale.Onnx;

/// <summary>
/// Where SentencePiece's dummy prefix '▁' goes in a converted tokenizer.json, for each piece of plain text between
/// added tokens: <see cref="EveryPiece"/> for a <c>Prepend</c> normalizer (Llama 2, legacy); <see cref="EveryUnspacedPiece"/>
/// and <see cref="FirstUnspacedPiece"/> (only a piece at the very start of the text) for a <c>Metaspace</c> pre-tokenizer's
/// prepend_scheme "always" and "first", where a piece that starts with a space gets none (the space becomes its '▁');
/// <see cref="Never"/> without either (Gemma).
/// </summary>
internal enum DummyPrefix { Never, EveryPiece, EveryUnspacedPiece, FirstUnspacedPiece }

/// <summary>
/// Hugging Face's order of work: added tokens are cut out of the text first (<see cref="AddedTokens.Split"/>, with their
/// lstrip, rstrip and single_word rules), then each plain piece between them is tokenized alone, by the model's own
/// tokenizer with or without the dummy prefix as <see cref="DummyPrefix"/> says. Decoding is the model tokenizer's.
/// </summary>
internal sealed class AddedTokenTokenizer(AddedTokens added, Tokenizer bare, Tokenizer? prefixed, DummyPrefix prefix, Tokenizer decoder) : Tokenizer
{
    /// <summary>The model's own tokenizer, as it runs on the text between added tokens (without the dummy prefix).</summary>
    public Tokenizer Model => bare;

    /// <summary>The tokens cut out of the text before <see cref="Model"/> runs.</summary>
    public AddedTokens Added => added;

    protected override EncodeResults<EncodedToken> EncodeToTokens(string? text, ReadOnlySpan<char> textSpan, EncodeSettings settings)
    {
        string all = text ?? textSpan.ToString();
        var tokens = new List<EncodedToken>();
        foreach (var (range, token) in added.Split(all))
        {
            var (offset, length) = range.GetOffsetAndLength(all.Length);
            if (token is not null)
            {
                tokens.Add(new EncodedToken(token.Id, token.Content, range));
                continue;
            }
            string piece = all.Substring(offset, length);
            // Offsets shift by the piece's start; within a SentencePiece piece they count its normalized text.
            foreach (var t in Encoder(offset, piece).EncodeToTokens(piece, out _, settings.ConsiderPreTokenization, settings.ConsiderNormalization))
                tokens.Add(new EncodedToken(t.Id, t.Value, (t.Offset.Start.Value + offset)..(t.Offset.End.Value + offset)));
        }
        if (tokens.Count > settings.MaxTokenCount) tokens.RemoveRange(settings.MaxTokenCount, tokens.Count - settings.MaxTokenCount);
        return new EncodeResults<EncodedToken>
        {
            Tokens = tokens,
            CharsConsumed = tokens.Count == 0 ? 0 : Math.Min(all.Length, tokens[^1].Offset.End.Value),
        };
    }

    private Tokenizer Encoder(int offset, string piece) => prefix switch
    {
        DummyPrefix.EveryPiece => prefixed!,
        DummyPrefix.EveryUnspacedPiece => piece[0] == ' ' ? bare : prefixed!,
        DummyPrefix.FirstUnspacedPiece => offset == 0 && piece[0] != ' ' ? prefixed! : bare,
        _ => bare,
    };

    public override string Decode(IEnumerable<int> ids) => decoder.Decode(ids);

    public override OperationStatus Decode(IEnumerable<int> ids, Span<char> destination, out int idsConsumed, out int charsWritten) =>
        decoder.Decode(ids, destination, out idsConsumed, out charsWritten);
}
