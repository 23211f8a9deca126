//! Handles written through `T**` out-parameters, strings C allocates and
//! the caller frees, and end pointers into string arguments, against
//! `csrc/real_apis_handles.c`.

use std::ffi::CStr;

use rctypes::{AllocatedCStr, CFunc, CType, EndPtr, Handle, Library, TypedHandle, Value};

use crate::common::lib;

struct Api {
    open: CFunc,
    exec: CFunc,
    rows: CFunc,
    name_len: CFunc,
    close: CFunc,
    describe: CFunc,
    free: CFunc,
    frees: CFunc,
    strtod: CFunc,
    strtod_broken: CFunc,
}

fn api() -> Api {
    let lib: Library = lib("real_apis_handles");
    let db = CType::handle("rh_db");
    let char_out = CType::pointer(CType::CharP);
    // SAFETY: real_apis_handles.h declares each of these; out-parameters are
    // written once with NULL or what their comment says, and rh_close ends
    // the database, rh_free what rh_exec and rh_describe allocated.
    unsafe {
        Api {
            open: lib
                .function(
                    "rh_open",
                    &[CType::CharP, CType::pointer(db.clone())],
                    CType::Int,
                )
                .unwrap(),
            exec: lib
                .function(
                    "rh_exec",
                    &[db.clone(), CType::CharP, char_out.clone()],
                    CType::Int,
                )
                .unwrap(),
            rows: lib
                .function("rh_rows", std::slice::from_ref(&db), CType::Int)
                .unwrap(),
            name_len: lib
                .function("rh_name_len", std::slice::from_ref(&db), CType::Int)
                .unwrap(),
            close: lib
                .function("rh_close", &[db.releases()], CType::Int)
                .unwrap(),
            describe: lib
                .function("rh_describe", &[CType::Int, char_out.clone()], CType::Int)
                .unwrap(),
            free: lib
                .function("rh_free", &[CType::VoidP.releases()], CType::Void)
                .unwrap(),
            frees: lib.function("rh_frees", &[], CType::Int).unwrap(),
            strtod: lib
                .function(
                    "rh_strtod",
                    &[CType::CharP, char_out.clone()],
                    CType::Double,
                )
                .unwrap(),
            strtod_broken: lib
                .function("rh_strtod_broken", &[CType::CharP, char_out], CType::Double)
                .unwrap(),
        }
    }
}

/// Frees the string in `text` with rh_free, which counts it, and checks
/// what it said and that it was freed once.
fn assert_freed_once(api: &Api, text: &mut Option<AllocatedCStr>, before: i32, said: &str) {
    let copy = text.take().unwrap().free_with(&api.free).unwrap();
    assert_eq!(copy.to_str().unwrap(), said);
    assert_eq!(int(&api.frees, &[]), before + 1);
}

fn int(f: &CFunc, args: &[Value<'_>]) -> i32 {
    f.call(args).unwrap().to::<i32>().unwrap()
}

#[test]
fn a_handle_written_through_an_out_parameter_goes_back_to_its_own_functions() {
    let api = api();
    let mut db: Option<Handle> = None;
    assert_eq!(
        int(&api.open, &["people".into(), Value::out_handle(&mut db)]),
        0
    );
    let db = db.expect("C wrote a handle");
    assert_eq!(db.type_name(), "rh_db");
    // C's own reading of the handle: the name it was opened with.
    assert_eq!(int(&api.name_len, &[(&db).into()]), 6);
    let mut err = None;
    let rc = int(
        &api.exec,
        &[(&db).into(), "insert 3".into(), Value::out_str(&mut err)],
    );
    assert_eq!((rc, err.is_none()), (0, true));
    let rc = int(
        &api.exec,
        &[(&db).into(), "insert 4".into(), Value::out_str(&mut err)],
    );
    assert_eq!((rc, err.is_none()), (0, true));
    assert_eq!(int(&api.rows, &[(&db).into()]), 7);
    assert_eq!(int(&api.close, &[(&db).into()]), 0);
    assert!(db.is_released());
    let e = api.rows.call(&[(&db).into()]).unwrap_err().to_string();
    assert!(e.contains("released"), "{e}");
}

#[test]
fn null_written_through_a_handle_out_parameter_gives_none() {
    let api = api();
    let mut db: Option<Handle> = None;
    assert_eq!(int(&api.open, &["".into(), Value::out_handle(&mut db)]), 1);
    assert!(db.is_none());
}

#[test]
fn a_handle_goes_nowhere_another_handle_type_is_declared() {
    let api = api();
    let mut db = None;
    int(&api.open, &["a".into(), Value::out_handle(&mut db)]);
    let db = db.unwrap();
    let libc = Library::this().unwrap();
    // SAFETY: fclose takes a FILE* and ends it.
    let fclose =
        unsafe { libc.function("fclose", &[CType::handle("FILE").releases()], CType::Int) }
            .unwrap();
    let e = fclose.call(&[(&db).into()]).unwrap_err().to_string();
    assert!(
        e.contains("argument 1") && e.contains("another handle type"),
        "{e}"
    );
    // Nor is an out slot for a handle lent where C writes anything else.
    let mut other = None;
    let e = api
        .describe
        .call(&[1.into(), Value::out_handle(&mut other)])
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("argument 2") && e.contains("pointer to a handle type"),
        "{e}"
    );
    assert_eq!(int(&api.close, &[(&db).into()]), 0);
}

#[test]
fn a_slot_holding_an_open_handle_is_refused_rather_than_lost() {
    let api = api();
    let mut db = None;
    int(&api.open, &["first".into(), Value::out_handle(&mut db)]);
    let e = api
        .open
        .call(&["second".into(), Value::out_handle(&mut db)])
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("argument 2") && e.contains("take() it first"),
        "{e}"
    );
    // Still the first one, as C sees it.
    assert_eq!(int(&api.name_len, &[db.as_ref().unwrap().into()]), 5);
    // Released, it may be overwritten.
    assert_eq!(int(&api.close, &[db.as_ref().unwrap().into()]), 0);
    int(&api.open, &["second".into(), Value::out_handle(&mut db)]);
    assert_eq!(int(&api.name_len, &[db.as_ref().unwrap().into()]), 6);
    assert_eq!(int(&api.close, &[db.as_ref().unwrap().into()]), 0);
}

#[test]
fn an_error_message_c_allocates_is_read_then_freed_once() {
    let api = api();
    let mut db = None;
    int(&api.open, &["m".into(), Value::out_handle(&mut db)]);
    let db = db.unwrap();
    let mut err: Option<AllocatedCStr> = None;
    let rc = int(
        &api.exec,
        &[(&db).into(), "drop all".into(), Value::out_str(&mut err)],
    );
    assert_eq!(rc, 1);
    let err = err.expect("C wrote a message");
    assert_eq!(err.to_str(), Ok("no such command: drop all"));
    let before = int(&api.frees, &[]);
    let text = err.free_with(&api.free).unwrap();
    assert_eq!(text.to_str().unwrap(), "no such command: drop all");
    // rh_free counted exactly one free.
    assert_eq!(int(&api.frees, &[]), before + 1);
    assert_eq!(int(&api.close, &[(&db).into()]), 0);
}

#[test]
fn a_string_is_freed_only_by_a_function_declared_to_release_it() {
    let api = api();
    let mut text = None;
    int(&api.describe, &[5.into(), Value::out_str(&mut text)]);
    // A slot still holding a string is refused: C would overwrite it.
    let e = api
        .describe
        .call(&[6.into(), Value::out_str(&mut text)])
        .unwrap_err()
        .to_string();
    assert!(e.contains("free it first"), "{e}");
    let before = int(&api.frees, &[]);
    // rh_name_len takes a handle, not the pointer a free function takes.
    let text_addr = text.as_ref().unwrap().addr();
    let e = text.take().unwrap().free_with(&api.name_len).unwrap_err();
    assert!(e.to_string().contains("releases"), "{e}");
    assert_eq!(int(&api.frees, &[]), before, "not freed");
    // Refused, the string leaks rather than risk a second free; here the
    // test frees it itself, once.
    // SAFETY: the address rh_describe allocated, which nothing freed.
    api.free
        .call(&[unsafe { Value::address(text_addr as *mut std::ffi::c_void) }])
        .unwrap();
    assert_eq!(int(&api.frees, &[]), before + 1);
    let before = before + 1;
    int(&api.describe, &[5.into(), Value::out_str(&mut text)]);
    assert_freed_once(&api, &mut text, before, "code 5");
}

#[test]
fn an_end_pointer_becomes_an_offset_into_the_string_passed() {
    let api = api();
    let mut end = None;
    let x = api
        .strtod
        .call(&["3.25 apples".into(), Value::out_offset(&mut end)])
        .unwrap();
    assert_eq!((x.to::<f64>().unwrap(), end), (3.25, Some(4)));
    // Stopping at the NUL gives the string's length.
    let x = api
        .strtod
        .call(&[c"42".into(), Value::out_offset(&mut end)])
        .unwrap();
    assert_eq!((x.to::<f64>().unwrap(), end), (42.0, Some(2)));
    let x = api
        .strtod
        .call(&["kg".into(), Value::out_offset(&mut end)])
        .unwrap();
    assert_eq!((x.to::<f64>().unwrap(), end), (0.0, Some(0)));
}

#[test]
fn an_end_pointer_outside_every_string_argument_is_an_error() {
    let api = api();
    let mut end = Some(9);
    let e = api
        .strtod_broken
        .call(&["1.5".into(), Value::out_offset(&mut end)])
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("argument 2") && e.contains("outside every string argument"),
        "{e}"
    );
    assert_eq!(end, None);
}

#[test]
fn typed_calls_take_allocated_strings_and_end_pointers() {
    let api = api();
    let describe = api
        .describe
        .typed::<(i32, &mut Option<AllocatedCStr>), i32>()
        .unwrap();
    let mut text = None;
    assert_eq!(describe.call((-12, &mut text)), 0);
    let before = int(&api.frees, &[]);
    assert_freed_once(&api, &mut text, before, "code -12");

    let strtod = api.strtod.typed::<(&CStr, &mut EndPtr), f64>().unwrap();
    let s = c"7.5 m";
    let mut end = EndPtr::default();
    assert_eq!(strtod.call((s, &mut end)), 7.5);
    assert_eq!(end.offset_in(s).unwrap(), 3);
    // The offset is checked against the string given: another is refused.
    let copy = std::ffi::CString::from(s);
    assert!(end.offset_in(&copy).is_err());

    let broken = api
        .strtod_broken
        .typed::<(&CStr, &mut EndPtr), f64>()
        .unwrap();
    broken.call((s, &mut end));
    assert!(end.offset_in(s).is_err());
    // A `char* const*`, which C only reads, takes no out slot.
    // SAFETY: as rh_strtod, declared with a pointer C does not write through.
    let reads = unsafe {
        lib("real_apis_handles").function(
            "rh_strtod",
            &[CType::CharP, CType::const_pointer(CType::CharP)],
            CType::Double,
        )
    }
    .unwrap();
    assert!(reads.typed::<(&CStr, &mut EndPtr), f64>().is_err());
    let e = reads
        .call(&["1".into(), Value::out_offset(&mut None)])
        .unwrap_err()
        .to_string();
    assert!(e.contains("writable T**"), "{e}");
}

rctypes::handle_type!(struct RhDb = "rh_db");
rctypes::handle_type!(struct File = "FILE");

/// `rh_copy`, declared dynamically.
fn copy() -> CFunc {
    let lib: Library = lib("real_apis_handles");
    let db = CType::handle("rh_db");
    // SAFETY: real_apis_handles.h: rh_copy reads a database and returns a
    // new one or NULL.
    unsafe { lib.function("rh_copy", std::slice::from_ref(&db), db.clone()) }.unwrap()
}

#[test]
fn typed_handles_open_use_and_close_with_no_checks_per_call() {
    let api = api();
    let open = api
        .open
        .typed::<(&CStr, &mut Option<TypedHandle<RhDb>>), i32>()
        .unwrap();
    let exec = api
        .exec
        .typed::<(&TypedHandle<RhDb>, &CStr, &mut Option<AllocatedCStr>), i32>()
        .unwrap();
    let rows = api.rows.typed::<(&TypedHandle<RhDb>,), i32>().unwrap();
    let name_len = api.name_len.typed::<(&TypedHandle<RhDb>,), i32>().unwrap();
    let close = api.close.typed::<(TypedHandle<RhDb>,), i32>().unwrap();
    let copy = copy();
    let copy = copy
        .typed::<(&TypedHandle<RhDb>,), Option<TypedHandle<RhDb>>>()
        .unwrap();

    let mut slot = None;
    assert_eq!(open.call((c"orders", &mut slot)), 0);
    let db = slot.take().expect("C wrote a handle");
    assert_eq!(name_len.call((&db,)), 6);
    // No rows yet: C returns NULL, which is None.
    assert!(copy.call((&db,)).is_none());
    let mut err = None;
    assert_eq!(exec.call((&db, c"insert 5", &mut err)), 0);
    assert!(err.is_none());
    assert_eq!(exec.call((&db, c"insert 2", &mut err)), 0);
    assert_eq!(rows.call((&db,)), 7);
    let twin = copy.call((&db,)).expect("C returned a copy");
    assert_ne!(twin, db);
    assert_eq!((name_len.call((&twin,)), rows.call((&twin,))), (6, 0));
    assert_eq!(close.call((twin,)), 0);
    assert_eq!(close.call((db,)), 0);

    assert_eq!(open.call((c"", &mut slot)), 1, "an empty name");
    assert!(slot.is_none(), "C wrote NULL");
}

#[test]
fn a_typed_out_slot_lends_c_null_never_the_handle_it_held() {
    let api = api();
    let lib: Library = lib("real_apis_handles");
    // SAFETY: real_apis_handles.h: rh_shared returns a static database,
    // never closed; rh_open_into reads what `out` held, then writes a new
    // database or NULL through it.
    let (shared, open_into) = unsafe {
        (
            lib.typed::<(), Option<TypedHandle<RhDb>>>("rh_shared")
                .unwrap(),
            lib.typed::<(&CStr, &mut Option<TypedHandle<RhDb>>), i32>("rh_open_into")
                .unwrap(),
        )
    };
    let name_len = api.name_len.typed::<(&TypedHandle<RhDb>,), i32>().unwrap();
    let close = api.close.typed::<(TypedHandle<RhDb>,), i32>().unwrap();
    let mut slot = shared.call(());
    let shared_addr = slot.as_ref().expect("a static database").addr();
    assert_eq!(name_len.call((slot.as_ref().unwrap(),)), 6);
    // C reports 2 if it found anything but NULL in the slot.
    assert_eq!(open_into.call((c"second", &mut slot)), 0);
    let second = slot.take().unwrap();
    assert_ne!(second.addr(), shared_addr);
    assert_eq!(name_len.call((&second,)), 6);
    assert_eq!(close.call((second,)), 0);
    // The shared database the slot held was forgotten, not closed: it is
    // static, so nothing leaks.
}

#[test]
fn typed_handles_are_refused_at_bind_time_where_they_do_not_fit() {
    let api = api();
    let arg1 = |e: rctypes::Error| {
        let e = e.to_string();
        assert!(e.contains("argument 1"), "{e}");
        e
    };
    // Another handle type's name, each way a handle crosses.
    let e = arg1(api.rows.typed::<(&TypedHandle<File>,), i32>().unwrap_err());
    assert!(e.contains("rh_db") && e.contains("FILE"), "{e}");
    arg1(api.close.typed::<(TypedHandle<File>,), i32>().unwrap_err());
    let e = api
        .open
        .typed::<(&CStr, &mut Option<TypedHandle<File>>), i32>()
        .map(drop)
        .unwrap_err()
        .to_string();
    assert!(e.contains("argument 2") && e.contains("handle FILE"), "{e}");
    let copy = copy();
    let e = copy
        .typed::<(&TypedHandle<RhDb>,), Option<TypedHandle<File>>>()
        .unwrap_err()
        .to_string();
    assert!(e.contains("handle FILE"), "{e}");
    // Lent where the call releases it, moved where it does not.
    let e = arg1(api.close.typed::<(&TypedHandle<RhDb>,), i32>().unwrap_err());
    assert!(e.contains("releases"), "{e}");
    arg1(api.rows.typed::<(TypedHandle<RhDb>,), i32>().unwrap_err());
    // A handle where its address would be written, and the other way round.
    arg1(
        api.open
            .typed::<(&TypedHandle<RhDb>, &mut Option<TypedHandle<RhDb>>), i32>()
            .map(drop)
            .unwrap_err(),
    );
    arg1(
        api.rows
            .typed::<(&mut Option<TypedHandle<RhDb>>,), i32>()
            .map(drop)
            .unwrap_err(),
    );
}

#[test]
fn typed_and_dynamic_handles_convert_with_the_name_checked() {
    let api = api();
    let rows = api.rows.typed::<(&TypedHandle<RhDb>,), i32>().unwrap();
    let close = api.close.typed::<(TypedHandle<RhDb>,), i32>().unwrap();
    let mut dynamic = None;
    int(
        &api.open,
        &["people".into(), Value::out_handle(&mut dynamic)],
    );
    int(
        &api.exec,
        &[
            dynamic.as_ref().unwrap().into(),
            "insert 4".into(),
            Value::out_str(&mut None),
        ],
    );
    let refused = TypedHandle::<File>::try_from(dynamic.take().unwrap()).unwrap_err();
    assert!(
        refused.to_string().contains("another handle type"),
        "{refused}"
    );
    // Given back unchanged: C still reads it, and it is closed once.
    let back = refused.into_handle();
    assert_eq!(int(&api.rows, &[(&back).into()]), 4);
    assert_eq!(int(&api.close, &[(&back).into()]), 0);

    let mut dynamic = None;
    int(
        &api.open,
        &["people".into(), Value::out_handle(&mut dynamic)],
    );
    let typed = TypedHandle::<RhDb>::try_from(dynamic.take().unwrap()).unwrap();
    assert_eq!(rows.call((&typed,)), 0);
    let back = Handle::from(typed);
    assert_eq!(back.type_name(), "rh_db");
    int(
        &api.exec,
        &[(&back).into(), "insert 3".into(), Value::out_str(&mut None)],
    );
    assert_eq!(int(&api.rows, &[(&back).into()]), 3);
    assert_eq!(int(&api.close, &[(&back).into()]), 0);
    // Released: no typed handle comes of it.
    let e = TypedHandle::<RhDb>::try_from(back).unwrap_err();
    assert!(e.to_string().contains("released"), "{e}");

    let mut dynamic = None;
    int(&api.open, &["x".into(), Value::out_handle(&mut dynamic)]);
    assert_eq!(
        close.call((TypedHandle::try_from(dynamic.unwrap()).unwrap(),)),
        0
    );
}
