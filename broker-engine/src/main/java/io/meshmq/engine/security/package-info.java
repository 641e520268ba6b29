/**
 * Who may connect: the user store (users, salted password hashes, roles) and the check of a connection's
 * credentials. Immutable after start-up; used on the Netty I/O threads during the handshake.
 */
package io.meshmq.engine.security;
