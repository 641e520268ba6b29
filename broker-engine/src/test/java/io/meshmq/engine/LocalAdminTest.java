package io.meshmq.engine;

import io.meshmq.protocol.AdminTable;
import io.meshmq.protocol.AdminVerbs;
import org.junit.jupiter.api.Test;

import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Admin verbs asked inside the broker's process (metrics, management) go through the ring like a client's, without a
 * connection, and answer or fail as a client's would.
 */
class LocalAdminTest
{
    @Test
    void shouldAnswerAndRefuseLikeAClientsAdminCall() throws Exception
    {
        try (TestBroker test = TestBroker.start(context -> context.users().addUser("app",
            io.meshmq.engine.security.PasswordHash.hash("secret"))))
        {
            final Broker broker = test.broker();
            final AdminTable created = broker.admin(AdminVerbs.QUEUE_CREATE, "local.orders").get(10, TimeUnit.SECONDS);
            assertEquals(true, created.value(0, "created"), "no connection, so no permission check: " + created.rows());
            final AdminTable queues = broker.admin(AdminVerbs.QUEUE_LIST).get(10, TimeUnit.SECONDS);
            boolean listed = false;
            for (int r = 0; r < queues.rows().size(); r++)
            {
                listed |= "local.orders".equals(queues.value(r, "name"));
            }
            assertTrue(listed, queues.rows().toString());

            final ExecutionException missing = assertThrows(ExecutionException.class,
                () -> broker.admin(AdminVerbs.QUEUE_PURGE, "no.such").get(10, TimeUnit.SECONDS));
            assertInstanceOf(IllegalArgumentException.class, missing.getCause());
            assertEquals("there is no queue 'no.such'", missing.getCause().getMessage());
        }
    }
}
