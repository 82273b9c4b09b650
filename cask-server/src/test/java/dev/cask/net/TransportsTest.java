package dev.cask.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Choosing a transport: unknown names are refused; one the machine cannot give falls back to nio, saying why. */
class TransportsTest {
    @Test
    void unknownNamesAreUsageErrors() {
        assertThatThrownBy(() -> Transports.check("kqueue")).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("unknown transport 'kqueue': expected one of nio, epoll, epoll-lt, io_uring");
    }

    @Test
    void aNativeTransportThatCannotServeTheAddressFallsBackToNioAndSaysWhy() throws Exception {
        for (String name : new String[] {"epoll", "io_uring"}) {
            List<String> notices = new ArrayList<>();
            // the native transports speak IPv4 only: an IPv6 address is a reason of this build, not the user's mistake
            try (Transport t = Transports.start(name, new InetSocketAddress("::1", 0), new EchoHandler(), ServerLimits.defaults(), "cask-io",
                    notices::add)) {
                assertThat(t.name()).isEqualTo("nio");
                assertThat(notices).singleElement().asString()
                        .contains("transport " + name + " is not available here", "IPv4", "falling back to nio");
            }
        }
    }

    @Test
    void anAddressInUseIsTheUsersToFixNotAFallback() throws Exception {
        try (Transport first = Transports.start("epoll", new InetSocketAddress("127.0.0.1", 0), new EchoHandler(), ServerLimits.defaults(),
                "cask-io", n -> { })) {
            assertThatThrownBy(() -> Transports.start("epoll", new InetSocketAddress("127.0.0.1", first.port()), new EchoHandler(),
                    ServerLimits.defaults(), "cask-io2", n -> { }))
                    .hasMessageContaining("EADDRINUSE");
        }
    }
}
