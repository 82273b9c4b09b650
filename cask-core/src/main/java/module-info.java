/**
 * The Cask storage engine: {@link dev.cask.core.Cask#open} and what it takes and returns. It
 * depends on nothing but {@code java.base}. Given native access ({@code --enable-native-access=dev.cask.core})
 * it reserves disk blocks with {@code fallocate} before writing through a mapping; without it, it
 * writes with {@code pwrite}.
 */
module dev.cask.core {
    exports dev.cask.core;
    exports dev.cask.core.io;
}
