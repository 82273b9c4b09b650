package dev.cask.cli;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The layering docs/ARCHITECTURE.md draws, checked on the compiled classes of every module, so
 * that the picture stays true as the code grows.
 */
class ArchitectureTest {
    private static JavaClasses all;

    @BeforeAll
    static void importClasses() {
        // main classes only, whether the modules come as directories (one reactor build) or jars; never a test jar
        ImportOption mainOnly = location -> !location.contains("/test-classes/") && !location.contains("-tests.jar");
        all = new ClassFileImporter().withImportOption(mainOnly).importPackages("dev.cask");
    }

    @Test
    void theEngineDependsOnNothingButTheJdk() {
        classes().that().resideInAPackage("dev.cask.core..")
                .should().onlyDependOnClassesThat().resideInAnyPackage("dev.cask.core..", "java..")
                .because("the engine is a library with no dependencies").check(all);
    }

    @Test
    void onlyTheNativeBindingsCallNativeCode() {
        noClasses().that().resideOutsideOfPackages("dev.cask.net.linux..", "dev.cask.fs.fuse..")
                .and().doNotHaveFullyQualifiedName("dev.cask.lab.PosixFile")
                .and().doNotHaveFullyQualifiedName("dev.cask.core.io.Fallocate")
                .should().dependOnClassesThat().haveFullyQualifiedName("java.lang.foreign.Linker")
                .orShould().dependOnClassesThat().haveFullyQualifiedName("java.lang.foreign.SymbolLookup")
                .orShould().dependOnClassesThat().haveFullyQualifiedName("java.lang.foreign.FunctionDescriptor")
                .because("native calls (and their struct layouts) live in the bindings: net.linux, fs.fuse, the lab's raw writer and"
                        + " the engine's fallocate")
                .check(all);
    }

    @Test
    void theEventLoopKnowsNoProtocol() {
        noClasses().that().resideInAPackage("dev.cask.net..")
                .should().dependOnClassesThat().resideInAnyPackage("dev.cask.resp..", "dev.cask.fs..", "dev.cask.cli..")
                .because("the transports serve any Handler: the echo server and the RESP server alike").check(all);
    }

    @Test
    void onlyTheCommandLineSeesEveryModule() {
        noClasses().that().resideOutsideOfPackages("dev.cask.cli..", "dev.cask.bench..")
                .should().dependOnClassesThat().resideInAPackage("dev.cask.cli..")
                .because("the libraries do not know the command line that drives them").check(all);
    }
}
