package io.meshmq.selector;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SelectorTest
{
    private final Map<String, Object> message = new HashMap<>();

    private boolean matches(final String selector) throws SelectorSyntaxException
    {
        return Selector.parse(selector).matches(message::get);
    }

    @Test
    void shouldCompareNumbersWithPromotion() throws Exception
    {
        message.put("i", 5);
        message.put("b", (byte)5);
        message.put("d", 5.0);
        message.put("f", 2.5f);
        assertTrue(matches("i = 5"));
        assertTrue(matches("i = 5.0"));
        assertTrue(matches("b = i AND i = d"));
        assertTrue(matches("f < i"));
        assertTrue(matches("i >= 5 AND i <= 5 AND i <> 6 AND i > 4.99 AND i < 5.01"));
        assertTrue(matches("i * 2 + 1 = 11 AND i / 2 = 2 AND i / 2.0 = 2.5 AND -i = -5 AND +i = 5"));
        assertTrue(matches("7E3 = 7000 AND -57.9E2 = -5790 AND 7. = 7 AND .5 = 0.5 AND 10L = 10"));
        assertTrue(matches("-9223372036854775808 < 0"));
    }

    @Test
    void shouldTreatUnlikeTypesAsFalseAndMissingAsUnknown() throws Exception
    {
        message.put("s", "5");
        message.put("flag", true);
        assertFalse(matches("s = 5"));
        assertFalse(matches("missing = 5"));
        assertFalse(matches("NOT (missing = 5)"));
        assertTrue(matches("missing IS NULL AND s IS NOT NULL"));
        assertTrue(matches("flag"));
        assertTrue(matches("flag = TRUE AND NOT flag = false"));
        assertFalse(matches("missing / 0 = 1"));
    }

    @Test
    void shouldFollowThreeValuedLogic() throws Exception
    {
        message.put("t", true);
        message.put("f", false);
        assertTrue(matches("u OR t"));
        assertFalse(matches("u OR f"));
        assertFalse(matches("NOT (u OR f)"));
        assertFalse(matches("u AND t"));
        assertTrue(matches("NOT (u AND f)"));
        assertTrue(matches("t OR u AND f"), "AND binds tighter than OR");
        assertFalse(matches("NOT t OR f"), "NOT binds tighter than OR");
    }

    @Test
    void shouldMatchBetweenInAndLike() throws Exception
    {
        message.put("age", 20);
        message.put("color", "red");
        message.put("word", "under_score%");
        assertTrue(matches("age BETWEEN 15 AND 20 AND age NOT BETWEEN 21 AND 30"));
        assertTrue(matches("color IN ('red', 'blue') AND color NOT IN ('green')"));
        assertFalse(matches("nothing IN ('red')"));
        assertFalse(matches("nothing NOT IN ('red')"));
        assertTrue(matches("color LIKE 'r_d' AND color LIKE '%e%' AND color NOT LIKE 'b%'"));
        assertTrue(matches("word LIKE 'under\\_score\\%' ESCAPE '\\'"));
        assertFalse(matches("word LIKE 'underXscore%' ESCAPE 'X' AND word LIKE 'under_scoreX%%' ESCAPE 'X'"));
        assertTrue(matches("word LIKE 'under!_score!%' ESCAPE '!'"));
        message.put("quote", "it's");
        assertTrue(matches("quote = 'it''s'"));
    }

    @Test
    void shouldReadNumericLiteralsAsJavaWritesThem() throws Exception
    {
        message.put("p", 29);
        assertTrue(matches("p = 035 AND p = 0x1d AND p = 0X1D AND p = 0x1dL AND p = 29L AND p = 0035"));
        assertTrue(matches("-0x1 = -1 AND 0xFFFFFFFFFFFFFFFFL = -1 AND 0x7fffffffffffffff = 9223372036854775807"));
        assertTrue(matches("1.5e-3 = 0.0015 AND 1.5F = 1.5 AND 7D = 7 AND .5 = 0.5 AND 5. = 5 AND 035.5 = 35.5"));
        // Found by SelectorFuzzTest: a digit of another script after an exponent escaped as NumberFormatException.
        for (final String bad : new String[] {"p = 08", "p = 0x", "p = 0x1g", "p = 0x10000000000000000", "8E\u0d6a",
            "p = 1\u0663", "p = \u0663"})
        {
            assertThrows(SelectorSyntaxException.class, () -> Selector.parse(bad), bad);
        }
    }

    @Test
    void shouldMatchLikeByItsSegmentsAsTheSpecificationSays() throws Exception
    {
        message.put("v", "abcabc");
        assertTrue(matches("v LIKE 'abcabc' AND v LIKE '%' AND v LIKE '%%' AND v LIKE 'a%c' AND v LIKE '%b%b%'"));
        assertTrue(matches("v LIKE '_bc%' AND v LIKE '%ca_c' AND v LIKE '______' AND v LIKE 'abc%abc'"));
        assertFalse(matches("v LIKE 'abc' OR v LIKE '_____' OR v LIKE '%d%' OR v LIKE 'abcab%bc' OR v LIKE '%b%b%b%'"));
        assertFalse(matches("v LIKE 'abcabca%' OR v LIKE '%abcabc_'"));
        message.put("empty", "");
        assertTrue(matches("empty LIKE '' AND empty LIKE '%' AND empty NOT LIKE '_'"));
        // One character is one code point, also outside the Basic Multilingual Plane.
        message.put("emoji", "a\uD83D\uDE00b");
        assertTrue(matches("emoji LIKE 'a_b'"));
    }

    @Test
    void shouldMatchLikeInLinearTimeWhereARegularExpressionBacktracks() throws Exception
    {
        message.put("p", "a".repeat(400));
        message.put("big", "x".repeat(25_000) + "y".repeat(25_000));
        assertTimeoutPreemptively(Duration.ofSeconds(5), () ->
        {
            assertFalse(matches("p LIKE '%a%a%a%a%a%a%a%a%a%ab'"));
            assertTrue(matches("p LIKE '%a%a%a%a%a%a%a%a%a%a'"));
            assertTrue(matches("big LIKE '%x%y'"));
            assertFalse(matches("big LIKE '%y%x'"));
        });
    }

    @Test
    void shouldGiveUpOnALikeThatWouldTakeTooLongAndNotSelectTheMessage() throws Exception
    {
        message.put("p", "a".repeat(100_000));
        final Selector selector = Selector.parse("p LIKE '%" + "a".repeat(2_000) + "b%'");
        assertTimeoutPreemptively(Duration.ofSeconds(5), () -> assertFalse(selector.matches(message::get)));
    }

    @Test
    void shouldRefuseSelectorsTooLongOrTooDeepAndEvaluateLongChainsWithoutRecursion() throws Exception
    {
        message.put("x", 1);
        final SelectorSyntaxException tooLong = assertThrows(SelectorSyntaxException.class,
            () -> Selector.parse("x = 1" + " AND x = 1".repeat(50_000)));
        assertTrue(tooLong.getMessage().contains("at most 65536"), tooLong.getMessage());
        final SelectorSyntaxException tooDeep = assertThrows(SelectorSyntaxException.class,
            () -> Selector.parse("(".repeat(200) + "x = 1" + ")".repeat(200)));
        assertTrue(tooDeep.getMessage().contains("nests more than 100 levels"), tooDeep.getMessage());
        assertThrows(SelectorSyntaxException.class, () -> Selector.parse("NOT ".repeat(150) + "x = 1"));
        assertThrows(SelectorSyntaxException.class, () -> Selector.parse("x" + " + x".repeat(150) + " > 0"));
        assertThrows(SelectorSyntaxException.class, () -> Selector.parse("-".repeat(150) + "x < 0"));

        // 6,000 conditions fit the length limit; AND and OR chains are loops, not recursion.
        assertTrue(matches("x = 1" + " AND x = 1".repeat(6_000)));
        assertTrue(matches("x = 2" + " OR x = 2".repeat(6_000) + " OR x = 1"));
        assertTrue(matches("(".repeat(99) + "x = 1" + ")".repeat(99)));
    }

    @Test
    void shouldReadKeywordsInAnyCaseButIdentifiersExactly() throws Exception
    {
        message.put("Color", "red");
        assertTrue(matches("Color = 'red' and Color iS nOt NuLl"));
        assertFalse(matches("color = 'red'"));
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "", "   ", "color =", "= 'red'", "color = 'red", "a AND", "(a = 1", "a = 1)", "5", "'x'", "a + 1",
        "a IN (1, 2)", "5 IN ('a')", "a LIKE b", "a LIKE 'x' ESCAPE 'xy'", "a IS 5", "NULL = a", "'a' + 1",
        "TRUE AND 5", "a < 'b'", "a = 'x' = TRUE", "1 = 'a'", "99999999999999999999 = a", "a BETWEEN 1", "a # b",
        "a NOT 5", "TRUE TRUE", "1e = a", "12abc = a"
    })
    void shouldRejectInvalidSelectors(final String selector)
    {
        assertThrows(SelectorSyntaxException.class, () -> Selector.parse(selector));
    }

    @Test
    void shouldNameThePositionOfTheProblem()
    {
        final SelectorSyntaxException ex = assertThrows(SelectorSyntaxException.class, () -> Selector.parse("a = 1 AND AND"));
        assertEquals(11, ex.position());
        assertTrue(ex.getMessage().contains("position 11"), ex.getMessage());
    }
}
