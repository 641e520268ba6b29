package io.meshmq.metrics.console;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;

/**
 * The console's page frame and escaping: every value from the broker (queue names, message bodies, errors) goes
 * through {@link #text}, so a message cannot inject markup into an operator's browser.
 */
final class Html
{
    private static final String STYLE = """
        body{font-family:sans-serif;margin:0;color:#222}
        header{background:#20344c;color:#fff;padding:8px 16px;display:flex;gap:16px;align-items:center}
        header a,header button{color:#fff;text-decoration:none;background:none;border:none;font:inherit;cursor:pointer}
        header .who{margin-left:auto}
        main{padding:16px}
        table{border-collapse:collapse;margin:8px 0 24px}
        th,td{border-bottom:1px solid #ddd;padding:4px 10px;text-align:left}
        td.n{text-align:right;font-variant-numeric:tabular-nums}
        .note{background:#eef6ee;border:1px solid #9c9;padding:6px 10px;margin-bottom:12px}
        .error{background:#fbeaea;border:1px solid #c99;padding:6px 10px;margin-bottom:12px}
        form.inline{display:inline}
        """;

    private Html()
    {
    }

    static String text(final Object value)
    {
        final String raw = String.valueOf(value);
        final StringBuilder out = new StringBuilder(raw.length() + 16);
        for (int i = 0; i < raw.length(); i++)
        {
            final char c = raw.charAt(i);
            switch (c)
            {
                case '<' -> out.append("&lt;");
                case '>' -> out.append("&gt;");
                case '&' -> out.append("&amp;");
                case '"' -> out.append("&quot;");
                case '\'' -> out.append("&#39;");
                default -> out.append(c);
            }
        }
        return out.toString();
    }

    static String query(final String value)
    {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }

    /**
     * @param session null on the login page.
     * @param refreshSeconds 0 for a page that does not reload itself.
     */
    static String page(final String broker, final String title, final ConsoleSessions.Session session,
        final String message, final String body, final int refreshSeconds)
    {
        final StringBuilder html = new StringBuilder(4096).append("<!DOCTYPE html><html lang=\"en\"><head>")
            .append("<meta charset=\"utf-8\"><title>").append(text(title)).append(" - MeshMQ ")
            .append(text(broker)).append("</title>");
        if (refreshSeconds > 0)
        {
            html.append("<meta http-equiv=\"refresh\" content=\"").append(refreshSeconds).append("\">");
        }
        html.append("<style>").append(STYLE).append("</style></head><body><header><strong>MeshMQ ")
            .append(text(broker)).append("</strong>");
        if (session != null)
        {
            html.append("<a id=\"nav-topology\" href=\"/\">Topology</a>")
                .append("<a id=\"nav-queues\" href=\"/queues\">Queues and topics</a>")
                .append("<span class=\"who\">").append(text(session.user())).append("</span>")
                .append("<form class=\"inline\" method=\"post\" action=\"/logout\">").append(formToken(session))
                .append("<button id=\"logout\">Log out</button></form>");
        }
        html.append("</header><main><h1>").append(text(title)).append("</h1>");
        if (message != null && !message.isEmpty())
        {
            html.append("<p class=\"note\" id=\"note\">").append(text(message)).append("</p>");
        }
        return html.append(body).append("</main></body></html>").toString();
    }

    static String formToken(final ConsoleSessions.Session session)
    {
        return "<input type=\"hidden\" name=\"token\" value=\"" + text(session.formToken()) + "\">";
    }

    static String error(final String message)
    {
        return "<p class=\"error\" id=\"error\">" + text(message) + "</p>";
    }
}
