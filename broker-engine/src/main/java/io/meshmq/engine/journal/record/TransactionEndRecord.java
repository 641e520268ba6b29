package io.meshmq.engine.journal.record;

import io.meshmq.protocol.ProtocolException;
import io.meshmq.protocol.WireReader;
import io.meshmq.protocol.WireWriter;
import io.meshmq.protocol.WireXid;

import static io.meshmq.engine.journal.JournalRecordDescriptor.OUTCOME_COMMITTED;
import static io.meshmq.engine.journal.JournalRecordDescriptor.OUTCOME_FORGOTTEN;
import static io.meshmq.engine.journal.JournalRecordDescriptor.OUTCOME_HEURISTIC_COMMIT;
import static io.meshmq.engine.journal.JournalRecordDescriptor.OUTCOME_HEURISTIC_ROLLBACK;
import static io.meshmq.engine.journal.JournalRecordDescriptor.OUTCOME_ROLLED_BACK;

/**
 * {@link io.meshmq.engine.journal.JournalRecordDescriptor#TRANSACTION_END}: how a prepared XA branch ended. A commit,
 * heuristic or not, is followed by a {@link TransactionRecord} body: the branch's messages as routed at commit, and its
 * acks. A heuristic outcome keeps the branch until it is forgotten.
 * <p>
 * Encoding: {@link #encode}, then for a commit the transaction body.
 *
 * @param transaction the body; null for an outcome without one.
 */
public record TransactionEndRecord(WireXid xid, byte outcome, TransactionRecord transaction)
{
    /**
     * @return true if a transaction body follows the outcome.
     */
    public static boolean hasBody(final byte outcome)
    {
        return outcome == OUTCOME_COMMITTED || outcome == OUTCOME_HEURISTIC_COMMIT;
    }

    public static WireWriter encode(final WireWriter out, final WireXid xid, final byte outcome)
    {
        return xid.write(out).writeByte(outcome);
    }

    /**
     * @throws ProtocolException for an unknown outcome, or a malformed payload.
     */
    public static TransactionEndRecord decode(final WireReader in)
    {
        final WireXid xid = WireXid.read(in);
        final byte outcome = in.readByte();
        switch (outcome)
        {
            case OUTCOME_COMMITTED:
            case OUTCOME_HEURISTIC_COMMIT:
                return new TransactionEndRecord(xid, outcome, TransactionRecord.decode(in));
            case OUTCOME_ROLLED_BACK:
            case OUTCOME_HEURISTIC_ROLLBACK:
            case OUTCOME_FORGOTTEN:
                return new TransactionEndRecord(xid, outcome, null);
            default:
                throw new ProtocolException("unknown outcome " + outcome + " of XA branch " + xid);
        }
    }
}
