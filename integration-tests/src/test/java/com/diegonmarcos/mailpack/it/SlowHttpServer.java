package com.diegonmarcos.mailpack.it;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import com.sun.net.httpserver.HttpServer;

/**
 * A fake rspamd that accepts requests and answers nothing until it is closed (or 60 s pass): what a
 * wedged scanner looks like to a client. Binds 127.0.0.1 on a given port (the real rspamd's, while
 * it is stopped).
 */
final class SlowHttpServer implements AutoCloseable {
    private final HttpServer server;
    private final CountDownLatch release = new CountDownLatch(1);
    private final AtomicInteger requests = new AtomicInteger();

    SlowHttpServer(int port) throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 50);
        server.setExecutor(Executors.newCachedThreadPool());
        server.createContext("/", exchange -> {
            requests.incrementAndGet();
            try {
                exchange.getRequestBody().readAllBytes();
                release.await(60, TimeUnit.SECONDS);
                byte[] body = "{\"action\":\"no action\",\"score\":0.0,\"required_score\":15.0}".getBytes();
                exchange.sendResponseHeaders(200, body.length);
                exchange.getResponseBody().write(body);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (IOException clientGone) {
                // the client timed out and closed the connection
            } finally {
                exchange.close();
            }
        });
        server.start();
    }

    int requests() {
        return requests.get();
    }

    @Override
    public void close() {
        release.countDown();
        server.stop(0);
    }
}
