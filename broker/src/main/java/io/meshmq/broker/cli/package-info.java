/**
 * The command-line verbs ({@code run}, {@code produce}, {@code consume}) and their flag parsing. Each verb
 * runs on the main thread.
 */
package io.meshmq.broker.cli;
