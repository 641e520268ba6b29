/**
 * Who may connect and what they may do: the user store (users, salted password hashes, roles) and the check of a
 * connection's credentials, used on the Netty I/O threads during the handshake; the permissions per address pattern
 * and role, which the processor asks of every operation. Immutable after start-up.
 */
package io.meshmq.engine.security;
