/**
 * The five Jakarta Messaging message types (and the body-less {@code Message}), their header, property and
 * body rules, and their encoding to the wire format of {@link io.meshmq.protocol.MessageDescriptor}.
 * <p>
 * A message object is not thread safe, as the specification allows: it belongs to the thread using it.
 */
package io.meshmq.jms.message;
