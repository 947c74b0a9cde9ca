// The APK: the Kotlin UI (src/main/kotlin), the uniffi bindings and the Rust core for three ABIs,
// both produced by scripts/build-android (run automatically before every build).
plugins {
    id("com.android.application")
    id("org.jetbrains.kotlin.android")
}

android {
    namespace = "org.relais.app"
    compileSdk = 35

    defaultConfig {
        applicationId = "org.relais.app"
        minSdk = 24 // Android 7.0
        targetSdk = 35
        versionCode = 1
        versionName = "0.1.0"
        ndk { abiFilters += listOf("arm64-v8a", "armeabi-v7a", "x86_64") }
    }

    sourceSets["main"].apply {
        java.srcDirs("src/main/kotlin", "build/generated/relais")
        jniLibs.srcDirs("src/main/jniLibs")
    }

    buildTypes {
        release {
            isMinifyEnabled = true
            isShrinkResources = true
            proguardFiles(getDefaultProguardFile("proguard-android-optimize.txt"), "proguard-rules.pro")
        }
    }

    // One APK per ABI for cheap phones (each carries one librelais_ffi.so), and a universal one.
    splits {
        abi {
            isEnable = true
            reset()
            include("arm64-v8a", "armeabi-v7a", "x86_64")
            isUniversalApk = true
        }
    }

    // Native libraries stored uncompressed and page-aligned in the APK (16 KB pages).
    packaging { jniLibs { useLegacyPackaging = false } }

    compileOptions {
        sourceCompatibility = JavaVersion.VERSION_17
        targetCompatibility = JavaVersion.VERSION_17
    }
    kotlinOptions { jvmTarget = "17" }
    lint { abortOnError = true }
}

dependencies {
    // JNA for Android (its own libjnidispatch.so per ABI; 5.17 is 16 KB aligned).
    implementation("net.java.dev.jna:jna:5.17.0@aar")
    // The generated bindings' @RequiresApi; annotations only, nothing at run time.
    compileOnly("androidx.annotation:annotation:1.9.1")
}

// The Rust core and the bindings, before anything is compiled.
val buildRust by tasks.registering(Exec::class) {
    workingDir = rootDir.parentFile
    commandLine("bash", "scripts/build-android")
}
tasks.named("preBuild") { dependsOn(buildRust) }
