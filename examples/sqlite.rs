//! The system SQLite, end to end through the dynamic layer: the database
//! handle written through `sqlite3**`, `sqlite3_exec` calling a Rust closure
//! per row, its error message (a string SQLite allocated) read and freed
//! with `sqlite3_free`, and a prepared statement with bound parameters.
//! The only `unsafe` is loading the library and declaring the functions.
//!
//! Run with `cargo run --example sqlite` (needs libsqlite3.so.0).

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

use rctypes::{AllocatedCStr, CFunc, CType, Callback, Extent, Handle, Library, Signature, Value};

const SQLITE_OK: i32 = 0;
const SQLITE_ROW: i32 = 100;
const SQLITE_DONE: i32 = 101;

/// The functions used, declared once.
struct Sqlite {
    open: CFunc,
    exec: CFunc,
    errmsg: CFunc,
    free: CFunc,
    prepare: CFunc,
    bind_int: CFunc,
    bind_text: CFunc,
    step: CFunc,
    column_int: CFunc,
    column_text: CFunc,
    finalize: CFunc,
    close: CFunc,
    row_callback: Signature,
}

fn main() -> Result<(), rctypes::Error> {
    // SAFETY: SQLite's initialisers only set up its own state.
    let lib = unsafe { Library::open("libsqlite3.so.0") }.inspect_err(|_| {
        eprintln!("this example needs the system SQLite (libsqlite3.so.0)");
    })?;
    let sql = declare(&lib)?;

    // int sqlite3_open(const char *filename, sqlite3 **ppDb)
    let mut db: Option<Handle> = None;
    let rc = sql
        .open
        .call(&[":memory:".into(), Value::out_handle(&mut db)])?;
    let db = db.expect("sqlite3_open writes a handle, even on failure");
    assert_eq!(rc.to::<i32>()?, SQLITE_OK);
    println!("opened {db:?}");

    // sqlite3_exec with a Rust closure per row: it counts the rows and
    // checks the column count SQLite reports; the user data pointer comes
    // back to it as given.
    let mut tag = 0u64;
    let user_data = (&raw mut tag) as usize;
    let rows = Arc::new(AtomicI64::new(0));
    let seen = rows.clone();
    let on_row = Callback::new(sql.row_callback.clone(), move |args: &[Value]| {
        assert_eq!(args[0].to::<rctypes::RawPtr>()?.addr(), user_data);
        assert_eq!(args[1].to::<i32>()?, 2, "name and age");
        seen.fetch_add(1, Ordering::Relaxed);
        Ok::<_, rctypes::Error>(Value::Int(0))
    })?;
    let script = "CREATE TABLE people(name TEXT, age INTEGER);\
                  INSERT INTO people VALUES ('Ada', 36), ('Alan', 41);\
                  SELECT name, age FROM people;";
    let mut err: Option<AllocatedCStr> = None;
    let rc = sql.exec.call(&[
        (&db).into(),
        script.into(),
        (&on_row).into(),
        Value::byref(&mut tag),
        Value::out_str(&mut err),
    ])?;
    assert_eq!((rc.to::<i32>()?, err.is_none()), (SQLITE_OK, true));
    assert_eq!(rows.load(Ordering::Relaxed), 2);
    println!(
        "exec: the callback saw {} rows",
        rows.load(Ordering::Relaxed)
    );

    // A failing statement: SQLite allocates the message; we read and free it.
    let rc = sql.exec.call(&[
        (&db).into(),
        "SELECT * FROM nowhere".into(),
        Value::Null,
        Value::Null,
        Value::out_str(&mut err),
    ])?;
    assert_ne!(rc.to::<i32>()?, SQLITE_OK);
    let message = err.take().expect("SQLite wrote a message");
    let message = message.free_with(&sql.free)?;
    println!("exec error: {}", message.to_str().unwrap_or("?"));
    assert_eq!(message.to_str().unwrap_or(""), "no such table: nowhere");
    // sqlite3_errmsg: a string SQLite keeps; the result is a copy.
    let last = sql.errmsg.call(&[(&db).into()])?.to::<String>()?;
    assert_eq!(last, "no such table: nowhere");

    // A prepared statement: the sqlite3_stmt handle through sqlite3_stmt**,
    // and the end of the first statement as an offset into the text.
    let text = "SELECT name, age FROM people WHERE age > ?1 OR name = ?2 ORDER BY age; -- rest";
    let mut stmt: Option<Handle> = None;
    let mut tail = None;
    let rc = sql.prepare.call(&[
        (&db).into(),
        text.into(),
        (-1).into(),
        Value::out_handle(&mut stmt),
        Value::out_offset(&mut tail),
    ])?;
    assert_eq!(rc.to::<i32>()?, SQLITE_OK);
    let stmt = stmt.expect("a statement");
    let tail = tail.expect("SQLite reports where the statement ended");
    println!("prepared {stmt:?}; the text left over: {:?}", &text[tail..]);
    assert_eq!(&text[tail..], " -- rest");

    sql.bind_int.call(&[(&stmt).into(), 1.into(), 40.into()])?;
    // SQLITE_TRANSIENT (-1): SQLite copies the text, which lives only for the call.
    sql.bind_text.call(&[
        (&stmt).into(),
        2.into(),
        "Ada".into(),
        (-1).into(),
        (-1).into(),
    ])?;
    let mut found = Vec::new();
    loop {
        match sql.step.call(&[(&stmt).into()])?.to::<i32>()? {
            SQLITE_ROW => {
                // unsigned char* strings: sqlite3_column_text is declared
                // returning char* here, copied out at once.
                let name = sql
                    .column_text
                    .call(&[(&stmt).into(), 0.into()])?
                    .to::<String>()?;
                let age = sql
                    .column_int
                    .call(&[(&stmt).into(), 1.into()])?
                    .to::<i32>()?;
                println!("row: {name} {age}");
                found.push((name, age));
            }
            SQLITE_DONE => break,
            rc => panic!("sqlite3_step: {rc}"),
        }
    }
    assert_eq!(found, [("Ada".to_string(), 36), ("Alan".to_string(), 41)]);
    assert_eq!(
        sql.finalize.call(&[(&stmt).into()])?.to::<i32>()?,
        SQLITE_OK
    );
    assert_eq!(sql.close.call(&[(&db).into()])?.to::<i32>()?, SQLITE_OK);
    // Finalized and closed: SQLite never sees either handle again.
    assert!(sql.step.call(&[(&stmt).into()]).is_err());
    println!("closed");
    Ok(())
}

fn declare(lib: &Library) -> Result<Sqlite, rctypes::Error> {
    let db = CType::handle("sqlite3");
    let stmt = CType::handle("sqlite3_stmt");
    let (int, text) = (CType::Int, CType::CharP);
    // int (*)(void *user, int ncols, char **values, char **names)
    let row_callback = Signature::new(
        [
            CType::VoidP.nullable(),
            int.clone(),
            CType::VoidP,
            CType::VoidP,
        ],
        int.clone(),
    );
    // SAFETY: each declaration is SQLite's prototype (sqlite3.h). The `T**`
    // out-parameters are written with a handle, NULL or a string; exec
    // passes the user data only to the callback, which it does not keep;
    // bind_text's destructor argument is given as an integer, -1, which is
    // SQLITE_TRANSIENT (SQLite copies the text); column_text's string lives
    // until the next step and is copied at once; finalize and close end
    // their handles, sqlite3_free what SQLite allocated.
    unsafe {
        Ok(Sqlite {
            open: lib.function(
                "sqlite3_open",
                &[text.clone(), CType::pointer(db.clone())],
                int.clone(),
            )?,
            exec: lib.function(
                "sqlite3_exec",
                &[
                    db.clone(),
                    text.clone(),
                    CType::FuncPtr(row_callback.clone().into()).nullable(),
                    CType::VoidP.extent(Extent::Bytes(0)).nullable(),
                    CType::pointer(text.clone()).nullable(),
                ],
                int.clone(),
            )?,
            errmsg: lib.function("sqlite3_errmsg", std::slice::from_ref(&db), text.clone())?,
            free: lib.function("sqlite3_free", &[CType::VoidP.releases()], CType::Void)?,
            prepare: lib.function(
                "sqlite3_prepare_v2",
                &[
                    db.clone(),
                    text.clone(),
                    int.clone(),
                    CType::pointer(stmt.clone()),
                    CType::pointer(text.clone()).nullable(),
                ],
                int.clone(),
            )?,
            bind_int: lib.function(
                "sqlite3_bind_int",
                &[stmt.clone(), int.clone(), int.clone()],
                int.clone(),
            )?,
            bind_text: lib.function(
                "sqlite3_bind_text",
                &[
                    stmt.clone(),
                    int.clone(),
                    text.clone(),
                    int.clone(),
                    CType::SSizeT,
                ],
                int.clone(),
            )?,
            step: lib.function("sqlite3_step", std::slice::from_ref(&stmt), int.clone())?,
            column_int: lib.function(
                "sqlite3_column_int",
                &[stmt.clone(), int.clone()],
                int.clone(),
            )?,
            column_text: lib.function(
                "sqlite3_column_text",
                &[stmt.clone(), int.clone()],
                text.clone(),
            )?,
            finalize: lib.function("sqlite3_finalize", &[stmt.releases()], int.clone())?,
            close: lib.function("sqlite3_close", &[db.releases()], int)?,
            row_callback,
        })
    }
}
