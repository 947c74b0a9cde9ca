// The Android app. Built with Gradle and the Android Gradle Plugin on a machine with the Android
// SDK and NDK (see README "Android app"); on the development machine the same Kotlin is compiled
// and tested on the JVM through Maven (android/pom.xml, scripts/test-jvm).
pluginManagement {
    repositories {
        google()
        mavenCentral()
        gradlePluginPortal()
    }
}
dependencyResolutionManagement {
    repositoriesMode.set(RepositoriesMode.FAIL_ON_PROJECT_REPOS)
    repositories {
        google()
        mavenCentral()
    }
}
rootProject.name = "relais"
include(":app")
