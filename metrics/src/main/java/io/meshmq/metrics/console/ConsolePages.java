package io.meshmq.metrics.console;

import io.meshmq.engine.Broker;
import io.meshmq.metrics.AdminCalls;
import io.meshmq.protocol.AdminTable;
import io.meshmq.protocol.AdminVerbs;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What the console answers to each request: the login, the topology, queues and topics, a queue's messages, and
 * purge or delete after a confirmation page. Changes are POSTs carrying the session's form token; a refused or
 * failed admin verb shows its own message.
 * <p>
 * Thread safe: the HTTP server's threads.
 */
final class ConsolePages
{
    private static final int REFRESH_SECONDS = 5;
    private static final int BROWSE_DEFAULT = 50;
    private static final int BROWSE_MAX = 1_000;

    /** A request as the pages need it. */
    record Request(String method, String path, Map<String, String> query, Map<String, String> form, String cookie,
        String from)
    {
        String parameter(final String name)
        {
            final String value = "POST".equals(method) ? form.get(name) : query.get(name);
            return value == null ? "" : value;
        }
    }

    /** An answer: status, body, and optionally where to go next and the session cookie to set ("" clears it). */
    record Answer(int status, String contentType, String body, String location, String setCookie)
    {
        static Answer html(final int status, final String body)
        {
            return new Answer(status, "text/html; charset=utf-8", body, null, null);
        }

        static Answer text(final int status, final String body)
        {
            return new Answer(status, "text/plain; charset=utf-8", body, null, null);
        }

        static Answer redirect(final String location)
        {
            return new Answer(303, "text/plain; charset=utf-8", "", location, null);
        }

        Answer withCookie(final String value)
        {
            return new Answer(status, contentType, body, location, value);
        }
    }

    private final Broker broker;
    private final AdminCalls admin;
    private final RateHistory history;
    private final ConsoleSessions sessions;
    /** By session token: what the last change did, shown once on the next page. */
    private final Map<String, String> notes = new ConcurrentHashMap<>();

    ConsolePages(final Broker broker, final AdminCalls admin, final RateHistory history,
        final ConsoleSessions sessions)
    {
        this.broker = broker;
        this.admin = admin;
        this.history = history;
        this.sessions = sessions;
    }

    Answer answer(final Request request)
    {
        if (request.path().equals("/login"))
        {
            return "POST".equals(request.method()) ? login(request) : loginPage(null, 200);
        }
        ConsoleSessions.Session session = sessions.find(request.cookie());
        String newCookie = null;
        if (session == null)
        {
            if (sessions.isSecurityOn())
            {
                return Answer.redirect("/login");
            }
            session = sessions.guest();
            newCookie = session.token();
        }
        if ("POST".equals(request.method()) && !session.formToken().equals(request.form().get("token")))
        {
            return Answer.text(403, "this form was not sent by a page of this console session: reload the page and " +
                "try again");
        }
        final Answer answer = route(request, session);
        return newCookie == null ? answer : answer.withCookie(newCookie);
    }

    private Answer route(final Request request, final ConsoleSessions.Session session)
    {
        final boolean post = "POST".equals(request.method());
        switch (request.path())
        {
            case "/": return post ? notAllowed() : topology(session);
            case "/queues": return post ? notAllowed() : queues(session);
            case "/browse": return post ? notAllowed() : browse(session, request.parameter("queue"),
                request.parameter("max"));
            case "/confirm": return post ? notAllowed() : confirm(session, request.parameter("action"),
                request.parameter("queue"));
            case "/queues/purge": return post ? purge(session, request.parameter("queue")) : notAllowed();
            case "/queues/delete": return post ? delete(session, request.parameter("queue")) : notAllowed();
            case "/logout":
                if (!post)
                {
                    return notAllowed();
                }
                sessions.logout(session.token());
                notes.remove(session.token());
                return Answer.redirect("/login").withCookie("");
            default: return Answer.text(404, "no console page at " + request.path());
        }
    }

    private static Answer notAllowed()
    {
        return Answer.text(405, "not allowed with this method");
    }

    // ---- login ------------------------------------------------------------------------------------------------

    private Answer loginPage(final String error, final int status)
    {
        if (!sessions.isSecurityOn())
        {
            return Answer.redirect("/");
        }
        return Answer.html(status, Html.page(broker.name(), "Log in", null, null, (error == null ? "" :
            Html.error(error)) + "<form method=\"post\" action=\"/login\"><p><label>User <input id=\"user\" " +
            "name=\"user\" autocomplete=\"username\" required></label></p><p><label>Password <input id=\"password\" " +
            "name=\"password\" type=\"password\" autocomplete=\"current-password\" required></label></p>" +
            "<p><button id=\"login\">Log in</button></p></form>", 0));
    }

    private Answer login(final Request request)
    {
        try
        {
            final ConsoleSessions.Session session = sessions.login(request.form().get("user"),
                request.form().get("password"), request.from());
            return Answer.redirect("/").withCookie(session.token());
        }
        catch (final SecurityException ex)
        {
            return loginPage("Not logged in: " + ex.getMessage(), 401);
        }
    }

    // ---- topology ---------------------------------------------------------------------------------------------

    private Answer topology(final ConsoleSessions.Session session)
    {
        AdminTable status = null;
        String note = null;
        try
        {
            status = admin.call(AdminVerbs.CLUSTER_STATUS);
        }
        catch (final IllegalArgumentException | IllegalStateException notClustered)
        {
            note = "This broker is in no cluster: " + notClustered.getMessage();
        }
        final List<TopologyPicture.Node> nodes = TopologyPicture.nodes(status, broker.name(), broker.url());
        final StringBuilder body = new StringBuilder(TopologyPicture.svg(nodes));
        if (note != null)
        {
            body.append("<p>").append(Html.text(note)).append("</p>");
        }
        if (status != null)
        {
            body.append("<h2>Nodes</h2>").append(table(status, "nodes", null, List.of("node", "group", "url", "state",
                "backlog", "forwarded", "bindings", "consumers", "clients", "found", "round-trip-us",
                "replica-lag-ms")));
        }
        return Answer.html(200, Html.page(broker.name(), "Topology", session, takeNote(session), body.toString(),
            REFRESH_SECONDS));
    }

    // ---- queues and topics ------------------------------------------------------------------------------------

    private Answer queues(final ConsoleSessions.Session session)
    {
        final AdminTable queues = admin.call(AdminVerbs.QUEUE_LIST);
        final StringBuilder body = new StringBuilder(4096).append("<table id=\"queues\"><tr><th>Queue</th>")
            .append("<th>Kind</th><th>Messages</th><th>Paged</th><th>Delivering</th><th>Consumers</th><th>Added</th>")
            .append("<th>Acknowledged</th><th>In/s</th><th>Out/s</th><th>Last ")
            .append(RateHistory.SAMPLES * WebConsole.SAMPLE_MS / 60_000)
            .append(" minutes (in, out)</th><th></th></tr>");
        for (int r = 0; r < queues.rows().size(); r++)
        {
            final String name = String.valueOf(queues.value(r, "name"));
            final List<RateHistory.Rate> rates = history.rates(name);
            final RateHistory.Rate last = rates.isEmpty() ? null : rates.get(rates.size() - 1);
            body.append("<tr data-queue=\"").append(Html.text(name)).append("\"><td class=\"name\">")
                .append(Html.text(name)).append("</td><td>").append(Html.text(queues.value(r, "kind")))
                .append("</td>").append(number("messages", queues.value(r, "messages")))
                .append(number("paged", queues.value(r, "paged")))
                .append(number("delivering", queues.value(r, "delivering")))
                .append(number("consumers", queues.value(r, "consumers")))
                .append(number("added", queues.value(r, "added")))
                .append(number("acknowledged", queues.value(r, "acknowledged")))
                .append(number("in", last == null ? "" : String.format("%.1f", last.in())))
                .append(number("out", last == null ? "" : String.format("%.1f", last.out())))
                .append("<td>").append(RateChart.svg(rates))
                .append("</td><td><a class=\"browse\" href=\"/browse?queue=").append(Html.text(Html.query(name)))
                .append("\">Browse</a> <a class=\"purge\" href=\"/confirm?action=purge")
                .append("&amp;queue=").append(Html.text(Html.query(name))).append("\">Purge</a> <a class=\"delete\" ")
                .append("href=\"/confirm?action=delete&amp;queue=").append(Html.text(Html.query(name)))
                .append("\">Delete</a></td></tr>");
        }
        body.append("</table><h2>Topics</h2>").append(table(admin.call(AdminVerbs.TOPIC_LIST), "topics", "topic",
            null)).append("<h2>Subscriptions</h2>").append(table(admin.call(AdminVerbs.SUBSCRIPTION_LIST),
            "subscriptions", null, null));
        return Answer.html(200, Html.page(broker.name(), "Queues and topics", session, takeNote(session),
            body.toString(), REFRESH_SECONDS));
    }

    private static String number(final String column, final Object value)
    {
        return "<td class=\"n " + column + "\">" + Html.text(value) + "</td>";
    }

    // ---- a queue's messages ----------------------------------------------------------------------------------

    private Answer browse(final ConsoleSessions.Session session, final String queue, final String max)
    {
        final int count;
        try
        {
            count = max.isEmpty() ? BROWSE_DEFAULT : Math.min(BROWSE_MAX, Math.max(1, Integer.parseInt(max)));
        }
        catch (final NumberFormatException ex)
        {
            return Answer.text(400, "max = '" + max + "': expected a number of messages");
        }
        String body;
        try
        {
            body = "<p>The first " + count + " waiting messages, not taken.</p>" +
                table(admin.call(AdminVerbs.QUEUE_BROWSE, queue, Integer.toString(count)), "messages", null, null);
        }
        catch (final IllegalArgumentException | IllegalStateException ex)
        {
            body = Html.error(ex.getMessage());
        }
        return Answer.html(200, Html.page(broker.name(), "Messages of " + queue, session, null, body, 0));
    }

    // ---- purge and delete ------------------------------------------------------------------------------------

    private Answer confirm(final ConsoleSessions.Session session, final String action, final String queue)
    {
        if (!action.equals("purge") && !action.equals("delete"))
        {
            return Answer.text(400, "action = '" + action + "': expected purge or delete");
        }
        final long messages = admin.number(AdminVerbs.QUEUE_LIST, queue, "messages");
        if (messages < 0)
        {
            return Answer.html(404, Html.page(broker.name(), "No queue " + queue, session, null,
                Html.error("there is no queue '" + queue + "' (any more)"), 0));
        }
        final String question = action.equals("purge") ?
            "Drop all " + messages + " messages waiting in queue '" + queue + "'? This cannot be undone." :
            "Delete queue '" + queue + "' and the " + messages + " messages in it? This cannot be undone.";
        return Answer.html(200, Html.page(broker.name(), (action.equals("purge") ? "Purge " : "Delete ") + queue,
            session, null, "<p id=\"question\">" + Html.text(question) + "</p><form method=\"post\" action=\"/queues/" +
            action + "\">" + Html.formToken(session) + "<input type=\"hidden\" name=\"queue\" value=\"" +
            Html.text(queue) + "\"><button id=\"confirm\">" + (action.equals("purge") ? "Purge" : "Delete") +
            "</button> <a id=\"cancel\" href=\"/queues\">Cancel</a></form>", 0));
    }

    private Answer purge(final ConsoleSessions.Session session, final String queue)
    {
        return change(session, () -> "Purged queue '" + queue + "': " +
            admin.call(AdminVerbs.QUEUE_PURGE, queue).value(0, "dropped") + " messages dropped");
    }

    private Answer delete(final ConsoleSessions.Session session, final String queue)
    {
        final String refusal = sessions.refusal(session, AdminVerbs.QUEUE_DELETE, queue);
        if (refusal != null)
        {
            notes.put(session.token(), "Not deleted: " + refusal);
            return Answer.redirect("/queues");
        }
        return change(session, () -> "Deleted queue '" + queue + "'; " +
            admin.call(AdminVerbs.QUEUE_DELETE, queue).value(0, "dropped") + " messages dropped with it");
    }

    private interface Change
    {
        String run();
    }

    private Answer change(final ConsoleSessions.Session session, final Change change)
    {
        String note;
        try
        {
            note = change.run();
        }
        catch (final IllegalArgumentException | IllegalStateException ex)
        {
            note = "Not done: " + ex.getMessage();
        }
        notes.put(session.token(), note);
        return Answer.redirect("/queues");
    }

    private String takeNote(final ConsoleSessions.Session session)
    {
        return notes.remove(session.token());
    }

    // ---- tables -----------------------------------------------------------------------------------------------

    /**
     * @param rowKey the column whose value each row carries as {@code data-row} (for scripts and tests), or null.
     * @param columns the columns to show, or null for all.
     */
    private static String table(final AdminTable table, final String id, final String rowKey,
        final List<String> columns)
    {
        final List<String> shown = columns == null ? table.columns() : columns;
        final StringBuilder html = new StringBuilder(1024).append("<table id=\"").append(id).append("\"><tr>");
        for (final String column : shown)
        {
            html.append("<th>").append(Html.text(column)).append("</th>");
        }
        html.append("</tr>");
        for (int r = 0; r < table.rows().size(); r++)
        {
            html.append("<tr");
            if (rowKey != null)
            {
                html.append(" data-row=\"").append(Html.text(table.value(r, rowKey))).append('"');
            }
            html.append('>');
            for (final String column : shown)
            {
                final Object value = table.value(r, column);
                html.append(value instanceof Number ? "<td class=\"n\">" : "<td>").append(Html.text(value == null ?
                    "" : value)).append("</td>");
            }
            html.append("</tr>");
        }
        if (table.rows().isEmpty())
        {
            html.append("<tr><td colspan=\"").append(shown.size()).append("\">none</td></tr>");
        }
        return html.append("</table>").toString();
    }
}
