package io.meshmq.tck;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A broker's Prometheus endpoint read as Prometheus reads it, for tests.
 */
public final class PrometheusScrape
{
    private PrometheusScrape()
    {
    }

    /**
     * @return the text a scrape of http://127.0.0.1:PORT/metrics answers.
     */
    public static String scrape(final int port) throws Exception
    {
        final HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
            URI.create("http://127.0.0.1:" + port + "/metrics")).timeout(Duration.ofSeconds(30)).build(),
            HttpResponse.BodyHandlers.ofString());
        assertEquals(200, response.statusCode(), response.body());
        return response.body();
    }

    /**
     * @return the value of the sample that starts with {@code series} (name and labels as Prometheus prints them).
     */
    public static double value(final String metrics, final String series)
    {
        for (final String line : metrics.split("\n"))
        {
            if (line.startsWith(series + " "))
            {
                return Double.parseDouble(line.substring(series.length() + 1).split(" ")[0]);
            }
        }
        throw new AssertionError("no sample " + series + " in:\n" + metrics);
    }
}
