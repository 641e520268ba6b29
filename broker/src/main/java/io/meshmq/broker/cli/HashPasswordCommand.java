package io.meshmq.broker.cli;

import io.meshmq.engine.security.PasswordHash;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/**
 * {@code meshmq hash-password [PASSWORD]}: prints a salted hash for a {@code user.NAME = ...} configuration
 * line. Without an argument the password is read from standard input, so it stays out of the shell history.
 */
public final class HashPasswordCommand
{
    public static final String USAGE = "hash-password [PASSWORD]   (reads it from standard input if not given)";

    private HashPasswordCommand()
    {
    }

    public static int run(final String[] args, final InputStream in, final PrintStream out) throws UsageException
    {
        if (args.length > 2)
        {
            throw new UsageException("hash-password: give at most one password");
        }
        String password = args.length == 2 ? args[1] : null;
        if (password == null)
        {
            try
            {
                password = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8)).readLine();
            }
            catch (final IOException ex)
            {
                throw new UsageException("hash-password: cannot read the password: " + ex.getMessage());
            }
        }
        if (password == null || password.isEmpty())
        {
            throw new UsageException("hash-password: the password must not be empty");
        }
        out.println(PasswordHash.hash(password));
        return 0;
    }
}
