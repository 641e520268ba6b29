package io.meshmq.fuzz;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.meshmq.selector.Selector;
import io.meshmq.selector.SelectorSyntaxException;

/**
 * Any text a client sends as a selector is either parsed or refused with {@link SelectorSyntaxException}, in bounded
 * time and memory, and a parsed selector evaluates without throwing (issue 16, fuzzing).
 */
class SelectorFuzzTest
{
    @FuzzTest(maxDuration = "15s")
    void parseAndEvaluate(final FuzzedDataProvider data)
    {
        final String text = data.consumeString(2_000);
        final Object[] values = {data.consumeInt(), data.consumeLong(), data.consumeDouble(), data.consumeBoolean(),
            data.consumeString(50), null};
        final Selector selector;
        try
        {
            selector = Selector.parse(text);
        }
        catch (final SelectorSyntaxException refused)
        {
            return;
        }
        // Every identifier is bound to one of the values, so evaluation meets numbers, strings, booleans and nulls.
        selector.matches(identifier -> values[Math.floorMod(identifier.hashCode(), values.length)]);
    }
}
