package io.meshmq.engine.security;

import org.junit.jupiter.api.Test;

import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SecuritySettingsTest
{
    private final UserStore users = new UserStore()
        .addUser("alice", PasswordHash.hash("a")).roles("alice", Set.of("app"))
        .addUser("olga", PasswordHash.hash("o")).roles("olga", Set.of("ops", "admin"));

    @Test
    void shouldLetTheMostSpecificPatternDecideEveryPermissionOfAnAddress()
    {
        final SecuritySettings settings = new SecuritySettings()
            .grant("*", Permission.SEND, Set.of("app"))
            .grant("*", Permission.CONSUME, Set.of("app"))
            .grant("orders.*", Permission.CONSUME, Set.of("ops"))
            .grant("orders.audit", Permission.BROWSE, Set.of("ops"));
        final Authorizer authorizer = new Authorizer(users, settings);
        final Set<String> app = users.rolesOf("alice");
        final Set<String> ops = users.rolesOf("olga");

        assertTrue(authorizer.allows(app, "invoices", Permission.SEND), "'*' is every address");
        assertFalse(authorizer.allows(app, "invoices", Permission.BROWSE), "not listed: nobody's");
        assertFalse(authorizer.allows(app, "orders.new", Permission.SEND), "orders.* lists no send: '*' does not fill in");
        assertTrue(authorizer.allows(ops, "orders.new", Permission.CONSUME));
        assertFalse(authorizer.allows(app, "orders.new", Permission.CONSUME));
        assertTrue(authorizer.allows(ops, "orders.audit", Permission.BROWSE), "an exact name beats a prefix");
        assertFalse(authorizer.allows(ops, "orders.audit", Permission.CONSUME));
        assertEquals(Set.of("ops"), settings.rolesFor("orders.audit", Permission.BROWSE));
    }

    @Test
    void shouldGrantEveryUserWithTheStarRoleAndNobodyWhereNoPatternMatches()
    {
        final SecuritySettings settings = new SecuritySettings().grant("public.*", Permission.SEND, Set.of("*"));
        final Authorizer authorizer = new Authorizer(users, settings);
        assertTrue(authorizer.allows(Set.of(), "public.news", Permission.SEND), "a user with no roles");
        assertFalse(authorizer.allows(users.rolesOf("olga"), "private", Permission.SEND), "no pattern: nobody");
    }

    @Test
    void shouldUseTheDefaultsUntilAPermissionIsConfigured()
    {
        final Authorizer authorizer = new Authorizer(users, new SecuritySettings());
        for (final Permission permission : Permission.values())
        {
            assertEquals(permission != Permission.MANAGE, authorizer.allows(users.rolesOf("alice"), "x", permission),
                permission.toString());
            assertTrue(authorizer.allows(users.rolesOf("olga"), "x", permission), "role admin: " + permission);
        }
        assertTrue(authorizer.describe().contains("manage (the admin and cluster verbs) needs role 'admin'"),
            authorizer.describe());
        assertTrue(new Authorizer(users, new SecuritySettings().grant("*", Permission.SEND, Set.of("app")))
            .describe().endsWith("permissions: 1 address pattern (security.*)"));
    }

    @Test
    void shouldAllowEverythingWithSecurityOff()
    {
        final Authorizer off = new Authorizer(new UserStore(),
            new SecuritySettings().grant("*", Permission.SEND, Set.of("nobody-has-this")));
        assertTrue(off.allows(Set.of(), "orders", Permission.SEND));
        assertTrue(off.allows(Set.of(), "orders", Permission.MANAGE));
        assertTrue(off.describe().startsWith("security off"), off.describe());
    }

    @Test
    void shouldRefuseMalformedPatternsPermissionsAndEmptyRoles()
    {
        final SecuritySettings settings = new SecuritySettings();
        assertThrows(IllegalArgumentException.class, () -> settings.grant("a*b", Permission.SEND, Set.of("app")));
        assertThrows(IllegalArgumentException.class, () -> settings.grant("", Permission.SEND, Set.of("app")));
        assertThrows(IllegalArgumentException.class, () -> settings.grant("a", Permission.SEND, Set.of()));
        final IllegalArgumentException unknown = assertThrows(IllegalArgumentException.class, () -> Permission.named("write"));
        assertTrue(unknown.getMessage().contains("unknown permission 'write'; known: send, consume"), unknown.getMessage());
        assertEquals(Permission.CREATE_DURABLE_QUEUE, Permission.named("createdurablequeue"));
    }
}
