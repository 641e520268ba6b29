/**
 * Message selectors: the SQL-92 subset of the Jakarta Messaging specification (section 3.8.1), parsed once
 * into an expression tree and evaluated with three-valued logic. Imports only {@code java.*}, so the client
 * uses it to reject a bad selector at consumer creation and the broker uses it to filter messages.
 * Parsing is thread safe; a parsed {@link io.meshmq.selector.Selector} is immutable and may be evaluated on
 * any thread.
 */
package io.meshmq.selector;
