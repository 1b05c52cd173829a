// An empty translation unit: the target that owns a shared precompiled header
// (see ballast_precompile in Ballast.cmake) needs one source to exist.
