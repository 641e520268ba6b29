/**
 * Managing a broker from Java over the wire: create, delete, purge and list destinations and
 * subscriptions. Thread safe: {@link io.meshmq.admin.MeshAdmin} holds one connection and may be shared.
 */
package io.meshmq.admin;
