package io.meshmq.engine.large;

import io.meshmq.engine.mirror.BodyMirror;
import io.meshmq.engine.mirror.DataMirror;
import io.meshmq.engine.mirror.SwitchableMirror;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.lang.reflect.Proxy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A persistent body reaches the replica before its message goes on (issue 23, large messages on HA nodes): once
 * forced, it is copied to the mirror's bodies, and again to each replica that attached while it was copied (such a
 * replica may have listed it part written); a body that cannot be copied is refused and deleted.
 */
class LargeStoreMirrorTest
{
    @TempDir
    Path dir;

    private final SwitchableMirror mirror = new SwitchableMirror(DataMirror.NONE);
    private final List<String> copies = new ArrayList<>();

    @Test
    void shouldCopyAForcedBodyAndNotAnUnforcedOne() throws Exception
    {
        final LargeStore store = new LargeStore(dir, 1000, mirror);
        mirror.attach(replica("a", null));
        final LargeUpload persistent = upload(store);
        assertNull(persistent.finish(true));
        assertEquals(List.of("a:" + persistent.bodyId()), copies);
        final LargeUpload notPersistent = upload(store);
        assertNull(notPersistent.finish(false));
        assertEquals(1, copies.size(), "a body no persistent message names stays here");
        mirror.detach();
        assertNull(upload(store).finish(true));
        assertEquals(1, copies.size(), "no replica: the body stays here");
    }

    @Test
    void shouldCopyABodyAgainToAReplicaThatAttachedWhileItWasCopied() throws Exception
    {
        final LargeStore store = new LargeStore(dir, 1000, mirror);
        final DataMirror second = replica("b", null);
        mirror.attach(replica("a", () -> mirror.attach(second)));
        final LargeUpload upload = upload(store);
        assertNull(upload.finish(true));
        assertEquals(List.of("a:" + upload.bodyId(), "b:" + upload.bodyId()), copies);
    }

    @Test
    void shouldRefuseAndDeleteABodyTheReplicaCannotTake() throws Exception
    {
        final LargeStore store = new LargeStore(dir, 1000, mirror);
        mirror.attach(stub(body -> "the replica is too busy"));
        final LargeUpload upload = upload(store);
        final String failure = upload.finish(true);
        assertTrue(failure != null && failure.contains("too busy"), failure);
        assertFalse(Files.exists(store.path(upload.bodyId())), "a body refused is deleted");
    }

    private LargeUpload upload(final LargeStore store) throws Exception
    {
        final LargeUpload upload = store.begin();
        upload.append(Unpooled.wrappedBuffer(new byte[2000]));
        return upload;
    }

    /**
     * @param during run once, during the first copy made.
     */
    private DataMirror replica(final String name, final Runnable during)
    {
        final Runnable[] once = {during};
        return stub(body ->
        {
            if (once[0] != null)
            {
                final Runnable now = once[0];
                once[0] = null;
                now.run();
            }
            final String file = body.getFileName().toString();
            copies.add(name + ":" + Long.parseLong(file.substring(0, file.indexOf('.')), 16));
            return null;
        });
    }

    /**
     * A replica that takes only bodies: every other change is dropped.
     */
    private static DataMirror stub(final BodyMirror bodies)
    {
        return (DataMirror)Proxy.newProxyInstance(DataMirror.class.getClassLoader(), new Class<?>[] {DataMirror.class},
            (proxy, method, args) -> method.getName().equals("bodies") ? bodies :
                method.getReturnType() == long.class ? 0L : null);
    }
}
