package io.meshmq.engine.security;

import org.junit.jupiter.api.Test;

import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class UserStoreTest
{
    private final AtomicLong nowMs = new AtomicLong(1_000_000);
    private final UserStore users = new UserStore(nowMs::get)
        .addUser("app", PasswordHash.hash("app-secret")).roles("app", Set.of("app"));

    @Test
    void shouldKnowAVerifiedPasswordAgainButNeverAWrongOne()
    {
        assertEquals("app", users.authenticate("app", "app-secret", "10.0.0.1"));
        assertEquals("app", users.authenticate("app", "app-secret", "10.0.0.1"), "known from its digest now");
        assertThrows(SecurityException.class, () -> users.authenticate("app", "app-secret2", "10.0.0.1"));
        assertThrows(SecurityException.class, () -> users.authenticate("app", "", "10.0.0.1"));
    }

    @Test
    void shouldStopCheckingPasswordsFromAnAddressAfterAFewFailures()
    {
        for (int i = 0; i < UserStore.FAILURES_ALLOWED; i++)
        {
            final SecurityException wrong =
                assertThrows(SecurityException.class, () -> users.authenticate("app", "guess", "10.0.0.66"));
            assertTrue(wrong.getMessage().contains("user name or password is wrong"), wrong.getMessage());
        }
        final SecurityException blocked =
            assertThrows(SecurityException.class, () -> users.authenticate("app", "app-secret", "10.0.0.66"));
        assertTrue(blocked.getMessage().contains("too many failed logins from 10.0.0.66"), blocked.getMessage());
        assertEquals("app", users.authenticate("app", "app-secret", "10.0.0.1"), "other addresses are not slowed");

        nowMs.addAndGet(UserStore.FAILURE_WINDOW_MS);
        assertEquals("app", users.authenticate("app", "app-secret", "10.0.0.66"), "a minute later it is heard again");
        for (int i = 0; i < UserStore.FAILURES_ALLOWED - 1; i++)
        {
            nowMs.addAndGet(UserStore.FAILURE_WINDOW_MS / UserStore.FAILURES_ALLOWED);
            assertThrows(SecurityException.class, () -> users.authenticate("app", "guess", "10.0.0.66"));
        }
        assertEquals("app", users.authenticate("app", "app-secret", "10.0.0.66"),
            "failures counted afresh: not yet blocked");
    }

    @Test
    void shouldRefuseAnonymousConnectionsOnceUsersExistUnlessADefaultUserIsSet()
    {
        assertThrows(SecurityException.class, () -> users.authenticate(null, null, "10.0.0.1"));
        users.defaultUser("guest");
        assertEquals("guest", users.authenticate(null, null, "10.0.0.1"));
        assertEquals("guest", new UserStore().authenticate(null, null), "security off: anyone is guest");
    }
}
